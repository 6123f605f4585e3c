import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What the keepalive tick keeps between ticks: the reused ping batch and, per tracked binding,
/// its ping destination as a ready `SocketAddress`.
///
/// Why: 100k NATed bindings pinged every 20 s are 5,000 pings a second. Turning the binding's
/// address text into a `SocketAddress` for every ping (string checks, `inet_pton`, an allocation)
/// was a visible part of the keepalive CPU; the address only changes when the phone re-registers
/// from a new NAT port. The cache is indexed by the scheduler's `trackingID` (dense, reused after
/// a binding goes) and each hit is checked against the ping's peer, so a reused id or a binding
/// that moved gets a fresh conversion.
struct EdgeKeepaliveOutbox {
    var batch = KeepalivePingBatch()
    private var addresses: [(peer: RegistrarPeer, address: SocketAddress)?] = []

    /// The socket address of `ping`'s peer; nil for one that is not an IP literal.
    mutating func address(of ping: KeepalivePingBatch.Ping) -> SocketAddress? {
        let id = ping.trackingID
        guard id >= 0 else { return EdgeAddressing.socketAddress(SIPPeer(ping.peer)) }
        if id < addresses.count, let cached = addresses[id], cached.peer == ping.peer { return cached.address }
        guard let address = EdgeAddressing.socketAddress(SIPPeer(ping.peer)) else { return nil }
        if id >= addresses.count {
            addresses.append(contentsOf: repeatElement(nil, count: id + 1 - addresses.count))
        }
        addresses[id] = (ping.peer, address)
        return address
    }
}

extension EdgeCore {
    /// Sends the tick's UDP pings. A listener with a keepalive twin sends its pings straight from the batch's
    /// bytes in `sendmmsg` calls of the twin (same address and port as the listener, so the same pinhole); the
    /// others, and whatever the twin could not take (a full send buffer), go through the transport: the bytes
    /// copied once into one send buffer and sliced per datagram, one flush per socket (`sendDatagrams`). A ping
    /// that cannot take either path (no UDP listener at its socket, a host name) goes through `send`.
    func sendKeepalivePings() {
        let batch = pingOutbox.batch
        var rest: [KeepalivePingBatch.Ping] = []
        var index = 0
        let pings = batch.pings
        while index < pings.count {
            // A run of pings leaving the same socket (a tick's pings nearly always are one run).
            let local = pings[index].socket.rawValue
            var end = index + 1
            while end < pings.count, pings[end].socket.rawValue == local { end += 1 }
            if let twin = transport?.keepaliveTwin(local) {
                rest += sendThroughTwin(twin, pings[index..<end], bytes: batch.bytes)
            } else {
                rest += pings[index..<end]
            }
            index = end
        }
        guard !rest.isEmpty else { return }
        let buffer = ByteBuffer(bytes: batch.bytes)
        var datagrams: [SIPTransport.Datagram] = []
        datagrams.reserveCapacity(rest.count)
        for ping in rest {
            let local = ping.socket.rawValue
            guard ping.peer.transport == .udp, listeners.indices.contains(local), listeners[local].transport == .udp,
                  let address = pingOutbox.address(of: ping),
                  let slice = buffer.getSlice(at: ping.range.lowerBound, length: ping.range.count)
            else {
                send(Array(batch.datagram(ping)), to: SIPPeer(ping.peer), local: ping.socket)
                continue
            }
            datagrams.append(SIPTransport.Datagram(bytes: slice, to: address, via: LocalSocketID(index: local)))
        }
        if !datagrams.isEmpty { transport?.sendDatagrams(datagrams) }
    }

    /// Sends one socket's run of pings through its twin; returns the pings left for the pipeline (those without
    /// an IP address, and all from the first one the twin's send buffer had no room for). A ping the kernel
    /// refuses (no route, a firewall) is counted as a send failure and skipped, as a pipeline write would be.
    private func sendThroughTwin(_ twin: KeepaliveTwinSocket, _ run: ArraySlice<KeepalivePingBatch.Ping>,
                                 bytes: [UInt8]) -> [KeepalivePingBatch.Ping]
    {
        var left: [KeepalivePingBatch.Ping] = []
        var queued: [KeepalivePingBatch.Ping] = []
        twin.reserveSend(run.count)
        queued.reserveCapacity(run.count)
        for ping in run {
            guard ping.peer.transport == .udp, let address = pingOutbox.address(of: ping) else {
                left.append(ping)
                continue
            }
            address.withSockAddr { pointer, length in
                twin.setDatagram(queued.count, range: ping.range, target: pointer, targetLength: length)
            }
            queued.append(ping)
        }
        let cells = transport?.cells
        var next = 0
        bytes.withUnsafeBytes { raw in
            while next < queued.count {
                let sent = twin.send(bytes: raw, from: next, count: queued.count)
                if sent > 0 {
                    var written = 0
                    for ping in queued[next..<(next + sent)] { written += ping.range.count }
                    cells?.datagramsOut.bump(sent)
                    cells?.datagramBytesOut.bump(written)
                    cells?.keepaliveTwinDatagramsOut.bump(sent)
                    next += sent
                } else if sent == 0 {
                    break  // full send buffer or a closed twin: the pipeline takes the rest
                } else {
                    cells?.sendFailures.bump()
                    next += 1
                }
            }
        }
        left += queued[next...]
        return left
    }

    /// Drains what waits on the keepalive twins, before the tick sends: replies to pings go straight to the
    /// scheduler, with the kernel's receive time; any other datagram that reached a twin (the steering program
    /// only looks for the marker) is handed to the normal receive path, so nothing is lost. Bounded per tick;
    /// the rest waits in the socket's buffer for the next tick.
    func drainKeepaliveTwins() {
        guard let transport else { return }
        let cells = transport.cells
        for local in listeners.indices where listeners[local].transport == .udp {
            guard let twin = transport.keepaliveTwin(local) else { continue }
            for _ in 0..<Self.keepaliveTwinReadsPerTick {
                let count = twin.receive()
                for i in 0..<count {
                    let (bytes, source, receivedAt) = twin.datagram(i)
                    cells.keepaliveTwinDatagramsIn.bump()
                    guard let bytes else {
                        cells.oversizeDrops.bump()
                        continue
                    }
                    cells.datagramsIn.bump()
                    cells.datagramBytesIn.bump(bytes.count)
                    let now = receivedAt > 0 ? RegistrarInstant(milliseconds: receivedAt) : EdgeClock.wallNow()
                    if configuration.keepalive.enabled, keepalive.handleReply(bytes, now: now) {
                        counters.keepaliveReplies += 1
                        continue
                    }
                    guard let address = Self.socketAddress(source) else { continue }
                    handle(.message(InboundSIP(bytes: ByteBuffer(bytes: bytes), source: address,
                                               local: LocalSocketID(index: local), transport: .udp, connection: nil)))
                }
                if count < KeepaliveTwinSocket.receiveCount { break }
            }
        }
    }

    /// `recvmmsg` calls per twin per tick: 16 × 64 datagrams every 20 ms is 51k replies a second, ten times the
    /// load of 100k bindings at 20 s.
    static let keepaliveTwinReadsPerTick = 16

    private static func socketAddress(_ storage: UnsafePointer<sockaddr_storage>) -> SocketAddress? {
        switch Int32(storage.pointee.ss_family) {
        case AF_INET:
            return UnsafeRawPointer(storage).withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                SocketAddress($0.pointee, host: "")
            }
        case AF_INET6:
            return UnsafeRawPointer(storage).withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                SocketAddress($0.pointee, host: "")
            }
        default:
            return nil
        }
    }
}
