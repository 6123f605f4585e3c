/*
 * The floor under the keepalive benchmark (perf/sip/bench-keepalive.sh, issue 6): the CPU that the system calls
 * alone cost on this machine, with no SIP logic at all. It sends the same traffic as `tandem signaling` does for
 * N NATed bindings (one ~330-byte OPTIONS per binding per interval, to 127.x.y.z:PORT as keepalive_lab.py seeds,
 * spread over 20 ms ticks, one sendmmsg per tick) and reads the replies the same way (recvmmsg, and a 1 ms pause
 * after a read of fewer than 16 datagrams). Whatever this costs, no keepalive implementation on this box can cost
 * less. Built and run by perf/sip/bench-keepalive.sh (BENCH_FLOOR=1):
 *
 *   cc -O2 -o /tmp/keepalive_floor perf/sip/keepalive_floor.c
 *   keepalive_floor LOCAL_PORT PHONE_PORT BINDINGS INTERVAL_S SETTLE_S MEASURE_S [PAUSE_US]
 *
 * PAUSE_US (default 1000) is the pause after a short read; 0 reads again at once.
 *
 * Prints: pings sent and replies read per second, and its own CPU (getrusage) over the measured window.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define TICK_NS 20000000LL

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static double cpu_seconds(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char **argv) {
    if (argc != 7 && argc != 8) {
        fprintf(stderr, "usage: %s LOCAL_PORT PHONE_PORT BINDINGS INTERVAL_S SETTLE_S MEASURE_S [PAUSE_US]\n", argv[0]);
        return 2;
    }
    int local_port = atoi(argv[1]), phone_port = atoi(argv[2]), bindings = atoi(argv[3]);
    double interval = atof(argv[4]), settle = atof(argv[5]), measure = atof(argv[6]);
    long pause_us = argc == 8 ? atol(argv[7]) : 1000;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int big = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons(local_port)};
    inet_pton(AF_INET, "127.0.0.1", &me.sin_addr);
    if (bind(fd, (struct sockaddr *)&me, sizeof me) != 0) { perror("bind"); return 1; }

    /* Destinations as keepalive_lab.py seeds them: binding i at 127.<1+i/65025>.<(i/255)%255>.<1+i%255>. */
    struct sockaddr_in *to = calloc(bindings, sizeof *to);
    for (int i = 0; i < bindings; i++) {
        to[i].sin_family = AF_INET;
        to[i].sin_port = htons(phone_port);
        to[i].sin_addr.s_addr = htonl((127u << 24) | ((1u + i / 65025) << 16) | (((i / 255) % 255) << 8) | (1u + i % 255));
    }
    char ping[BATCH][400];
    int ping_len[BATCH];
    struct mmsghdr out[BATCH], in[BATCH];
    struct iovec out_iov[BATCH], in_iov[BATCH];
    static char in_buf[BATCH][2048];
    memset(out, 0, sizeof out);
    memset(in, 0, sizeof in);
    for (int k = 0; k < BATCH; k++) {
        in_iov[k].iov_base = in_buf[k];
        in_iov[k].iov_len = sizeof in_buf[k];
        in[k].msg_hdr.msg_iov = &in_iov[k];
        in[k].msg_hdr.msg_iovlen = 1;
    }

    long long start = now_ns(), next_tick = start, window_start = start + (long long)(settle * 1e9);
    long long end = window_start + (long long)(measure * 1e9);
    double ticks_per_interval = interval * 1e9 / TICK_NS, cpu0 = 0;
    long long sent = 0, received = 0, sent0 = 0, received0 = 0, serial = 0;
    int cursor = 0, measuring = 0;
    double carry = 0;
    while (1) {
        long long t = now_ns();
        if (!measuring && t >= window_start) { measuring = 1; cpu0 = cpu_seconds(); sent0 = sent; received0 = received; }
        if (t >= end) break;
        if (t >= next_tick) {
            carry += bindings / ticks_per_interval;
            int due = (int)carry;
            carry -= due;
            while (due > 0) {
                int n = due < BATCH ? due : BATCH;
                for (int k = 0; k < n; k++) {
                    int i = cursor;
                    cursor = (cursor + 1) % bindings;
                    serial++;
                    ping_len[k] = snprintf(ping[k], sizeof ping[k],
                        "OPTIONS sip:%d.%d.%d.%d:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKka%016llx\r\n"
                        "Max-Forwards: 70\r\nFrom: <sip:keepalive@127.0.0.1:%d>;tag=ka\r\nTo: <sip:u%06d@example.com>\r\n"
                        "Call-ID: ka-%016llx\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
                        127, 1 + i / 65025, (i / 255) % 255, 1 + i % 255, phone_port, local_port,
                        (unsigned long long)serial, local_port, i, (unsigned long long)serial);
                    out_iov[k].iov_base = ping[k];
                    out_iov[k].iov_len = ping_len[k];
                    out[k].msg_hdr.msg_iov = &out_iov[k];
                    out[k].msg_hdr.msg_iovlen = 1;
                    out[k].msg_hdr.msg_name = &to[i];
                    out[k].msg_hdr.msg_namelen = sizeof to[i];
                }
                int r = sendmmsg(fd, out, n, 0);
                if (r > 0) sent += r;
                due -= n;
            }
            next_tick += TICK_NS;
        }
        /* Read what is there; a short read pauses 1 ms before the next, as tandem's read coalescer does. */
        int r = recvmmsg(fd, in, BATCH, MSG_DONTWAIT, NULL);
        if (r > 0) {
            received += r;
            if (r < 16 && pause_us > 0) {
                struct timespec pause = {pause_us / 1000000, (pause_us % 1000000) * 1000};
                nanosleep(&pause, NULL);
            }
            continue;
        }
        long long wait_ms = (next_tick - now_ns()) / 1000000;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        poll(&p, 1, wait_ms > 0 ? (int)wait_ms : 0);
    }
    double wall = measure, cpu = cpu_seconds() - cpu0;
    printf("floor (pause %ld us): %.0f pings/s, %.0f replies/s, %.2f%% of a core\n", pause_us, (sent - sent0) / wall, (received - received0) / wall,
           cpu / wall * 100);
    return 0;
}
