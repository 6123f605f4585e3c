import Logging
import NIOCore
import NIOPosix

/// The DNS driver: one `SIPServerLocator` fed by a UDP socket to the nameserver, on the edge's own
/// loop (no thread, no lock: the locator is sans-I/O and everything here is confined to `loop`).
///
/// Why on the loop rather than a blocking `getaddrinfo` thread: RFC 3263 needs NAPTR and SRV, which
/// the libc resolver does not offer, and a lookup here costs a few datagrams, not a thread.
/// The socket is bound lazily, on the first name to resolve, so an edge that only meets IP literals
/// opens nothing. Answers are cached by the locator (TTL, negative TTL); `pins` keeps a transaction's
/// branch on the target chosen for it, so UDP retransmissions, the ACK of a non-2xx and a CANCEL reach
/// the same box as the INVITE (RFC 3263 §4: "the same server") although SRV weights are a random draw.
final class EdgeDNS {
    let loop: any EventLoop
    let logger: Logger
    var locator: SIPServerLocator
    let nameserver: SocketAddress?
    var channel: (any Channel)?
    var binding = false
    /// Datagrams produced before the socket was bound.
    var outbox: [[UInt8]] = []
    var waiting: [SIPLocatorLookupID: ([SIPLocatedTarget]) -> Void] = [:]
    var timer: Scheduled<Void>?
    var timerAt: Int64?
    /// Top-Via branch → chosen next hop, and when the pin lapses (ms, monotonic).
    var pins: [String: (peer: SIPPeer, expires: Int64)] = [:]

    init(settings: EdgeDNSSettings, loop: any EventLoop, logger: Logger) {
        self.loop = loop
        self.logger = logger
        var locatorSettings = SIPLocatorSettings()
        locatorSettings.queryTimeoutMilliseconds = settings.timeoutMilliseconds
        locatorSettings.attempts = settings.attempts
        locator = SIPServerLocator(settings: locatorSettings, seed: UInt64.random(in: 0...UInt64.max))
        let (host, port) = settings.resolvedNameserver()
        nameserver = try? SocketAddress(ipAddress: host, port: port)
        if nameserver == nil { logger.error("dns: nameserver is not an IP address", metadata: ["nameserver": "\(host):\(port)"]) }
    }

    /// Resolves; `completion` runs on the loop, synchronously when the answer is cached.
    func resolve(_ request: SIPLocatorRequest, completion: @escaping ([SIPLocatedTarget]) -> Void) {
        let (id, actions) = locator.locate(request, now: EdgeClock.monotonicNow().milliseconds)
        waiting[id] = completion
        perform(actions)
    }

    func stop() {
        timer?.cancel()
        timer = nil
        channel?.close(promise: nil)
        channel = nil
        for (_, completion) in waiting { completion([]) }
        waiting = [:]
    }

    // MARK: Locator actions

    func perform(_ actions: [SIPLocatorAction]) {
        for action in actions {
            switch action {
            case .send(let datagram):
                transmit(datagram)
            case .finished(let id, let targets):
                waiting.removeValue(forKey: id)?(targets)
            }
        }
        rescheduleTimer()
    }

    func receive(_ datagram: [UInt8]) {
        perform(locator.receive(datagram, now: EdgeClock.monotonicNow().milliseconds))
    }

    func rescheduleTimer() {
        let next = locator.nextDeadline
        guard next != timerAt else { return }
        timer?.cancel()
        timerAt = next
        guard let next else {
            timer = nil
            return
        }
        let deadline = NIODeadline.uptimeNanoseconds(UInt64(max(0, next)) &* 1_000_000)
        let bound = NIOLoopBound(self, eventLoop: loop)
        timer = loop.scheduleTask(deadline: deadline) {
            let dns = bound.value
            dns.timer = nil
            dns.timerAt = nil
            dns.perform(dns.locator.advance(now: EdgeClock.monotonicNow().milliseconds))
        }
    }

    // MARK: Socket

    func transmit(_ datagram: [UInt8]) {
        guard let nameserver else { return }  // the queries time out and the lookups fail
        guard let channel else {
            outbox.append(datagram)
            bind()
            return
        }
        let envelope = AddressedEnvelope(remoteAddress: nameserver, data: ByteBuffer(bytes: datagram))
        channel.writeAndFlush(envelope, promise: nil)
    }

    func bind() {
        guard !binding, let nameserver else { return }
        binding = true
        let bound = NIOLoopBound(self, eventLoop: loop)
        let any = nameserver.protocol == .inet6 ? "::" : "0.0.0.0"
        DatagramBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Same shape as the ng socket's reader: datagram in, bytes to the owner on its loop.
                    let handler = EdgeNGChannelHandler { _, bytes in bound.value.receive(bytes) }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: any, port: 0)
            .whenComplete { result in
                let dns = bound.value
                dns.binding = false
                switch result {
                case .success(let channel):
                    dns.channel = channel
                    let queued = dns.outbox
                    dns.outbox = []
                    for datagram in queued { dns.transmit(datagram) }
                case .failure(let error):
                    dns.outbox = []
                    dns.logger.error("dns: cannot bind the query socket", metadata: ["error": "\(error)"])
                }
            }
    }

    // MARK: Pins

    func pinned(branch: String?, now: Int64) -> SIPPeer? {
        guard let branch, let pin = pins[branch], pin.expires > now else { return nil }
        return pin.peer
    }

    func pin(branch: String?, to peer: SIPPeer, now: Int64) {
        guard let branch else { return }
        if pins.count > 4096 { pins = pins.filter { $0.value.expires > now } }
        // 64*T1 with T1 = 500 ms: the longest a non-INVITE transaction lives; an INVITE's CANCEL comes sooner.
        pins[branch] = (peer, now + 64 * 500 + 4000)
    }
}
