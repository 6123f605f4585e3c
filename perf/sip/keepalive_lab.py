#!/usr/bin/env python3
"""Keepalive / memory lab for `tandem signaling` (perf/sip/bench-keepalive.sh drives it).

  keepalive_lab.py seed DB N PORT     write N NATed UDP bindings into the edge's location.sqlite; binding i
                                      registered from 127.<1+i/65025>.<(i/255)%255>.<1+i%255>:PORT (every
                                      phone its own address, as behind real NATs), expiring in 2 h
  keepalive_lab.py respond PORT SECS  answer every OPTIONS arriving on 0.0.0.0:PORT with a 200 for SECS
                                      seconds, then print how many were answered

The responder stands in for 100k phones: one socket on the wildcard address receives the pings sent to
every 127.x.y.z, and answers with the headers §8.2.6 copies (Via, From, To, Call-ID, CSeq).
"""
import socket
import sqlite3
import sys
import time


def binding_host(i):
    return "127.%d.%d.%d" % (1 + i // 65025, (i // 255) % 255, 1 + i % 255)


def seed(path, count, port):
    db = sqlite3.connect(path)
    db.execute("""CREATE TABLE IF NOT EXISTS location (
        aor TEXT NOT NULL, contact_uri TEXT NOT NULL, contact TEXT NOT NULL,
        call_id TEXT NOT NULL, cseq INTEGER NOT NULL, expires_at INTEGER NOT NULL, q INTEGER NOT NULL,
        registered_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
        source_host TEXT NOT NULL, source_port INTEGER NOT NULL, transport TEXT NOT NULL,
        socket INTEGER NOT NULL, nat INTEGER NOT NULL, path TEXT NOT NULL,
        user_agent TEXT, instance TEXT,
        PRIMARY KEY (aor, contact_uri)) WITHOUT ROWID""")
    now = int(time.time() * 1000)
    rows = []
    for i in range(count):
        user = "u%06d" % i
        contact = "sip:%s@192.168.1.%d:5060" % (user, 2 + i % 250)  # private Contact: what a NATed phone sends
        rows.append(("sip:%s@example.com" % user, contact, "<%s>" % contact, "seed-%d" % i, 1,
                     now + 7_200_000, 1000, now, now, binding_host(i), port, "udp", 0, 3, "", "keepalive-lab", None))
    db.execute("DELETE FROM location")
    db.executemany("INSERT INTO location VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.commit()
    db.close()


def respond(port, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(("0.0.0.0", port))
    s.settimeout(0.2)
    answered = 0
    deadline = time.time() + seconds
    copied = (b"via:", b"v:", b"from:", b"f:", b"to:", b"t:", b"call-id:", b"i:", b"cseq:")
    while time.time() < deadline:
        try:
            data, peer = s.recvfrom(65535)
        except socket.timeout:
            continue
        if not data.startswith(b"OPTIONS "):
            continue
        head = data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]
        lines = [b"SIP/2.0 200 OK"]
        for line in head:
            if line.lower().startswith(copied):
                lines.append(line)
        lines.append(b"Content-Length: 0")
        s.sendto(b"\r\n".join(lines) + b"\r\n\r\n", peer)
        answered += 1
    print(answered)


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1] == "respond":
        respond(int(sys.argv[2]), float(sys.argv[3]))
    else:
        sys.exit(__doc__)
