import NIOCore

/// Next hops given as host names (RFC 3263): `send` hands them here; the message is held while the
/// name resolves and then goes to the first target (`EdgeDNS`). When nothing resolves, a request's
/// client transaction is failed as a transport error (a 503 for the branch, RFC 3261 §16.9), so the
/// proxy answers the caller at once (500: §16.7 item 6 never relays a 503 upstream) instead of
/// waiting for timer B/F; a response is dropped (counted).
///
/// Not done: failover to the next target on a transport error or timeout (the transaction layer, not
/// the driver, owns retransmission and time-outs, and a branch ends at its first failure).
extension EdgeCore {
    func sendResolving(_ bytes: [UInt8], to peer: SIPPeer, local: LocalSocketRef?) {
        let dns = dnsDriver()
        let message = try? SIPMessage.parse(bytes)
        let branch = message.flatMap { try? $0.topVia }?.branch
        let now = EdgeClock.monotonicNow().milliseconds
        if let hop = dns.pinned(branch: branch, now: now) {
            send(bytes, to: hop, local: local)
            return
        }
        let request = Self.locatorRequest(for: peer, message: message)
        let bound = NIOLoopBound(self, eventLoop: loop)
        dns.resolve(request) { targets in
            let core = bound.value
            guard let target = core.usableTarget(targets) else {
                core.counters.dnsFailures += 1
                core.logger.info("dns: next hop does not resolve", metadata: ["host": "\(peer.host)"])
                // Never re-enter the proxy from inside `perform`: fail the branch on the next tick.
                if let message, message.isRequest, message.method != .ack {
                    core.loop.execute { bound.value.failUnresolved(message) }
                }
                return
            }
            let hop = SIPPeer(host: target.address, port: target.port, transport: target.transport == .tcp ? .tcp : .udp)
            core.dns?.pin(branch: branch, to: hop, now: EdgeClock.monotonicNow().milliseconds)
            core.send(bytes, to: hop, local: local)
        }
    }

    /// The lazily created driver (no socket until the first name).
    func dnsDriver() -> EdgeDNS {
        if let dns { return dns }
        let created = EdgeDNS(settings: configuration.dns, loop: loop, logger: logger)
        dns = created
        return created
    }

    /// RFC 3263 branches on whether the URI spelled a port and a transport; the proxy's `SIPPeer` has
    /// defaults filled in, so they are read again from the URI that named this host (top Route, else
    /// Request-URI). Responses (RFC 3263 §5, Via sent-by) and anything else: A/AAAA on the peer's port.
    static func locatorRequest(for peer: SIPPeer, message: SIPMessage?) -> SIPLocatorRequest {
        let transport: SIPLocatorTransport = peer.transport == .tcp ? .tcp : (peer.transport == .tls ? .tls : .udp)
        let fallback = SIPLocatorRequest(host: peer.host, port: peer.port, transport: transport)
        guard let message, message.isRequest else { return fallback }
        let candidates = [(try? message.routes)?.first?.uri, try? message.requestURI].compactMap { $0 }
        guard let uri = candidates.first(where: { ($0.maddr ?? $0.host?.address) == peer.host }) else { return fallback }
        return SIPLocatorRequest(host: peer.host, port: uri.port,
                                 transport: uri.transport.flatMap { SIPLocatorTransport(rawValue: $0.lowercased()) },
                                 secure: uri.scheme == .sips)
    }

    /// The first target the edge can send to: a listener of its transport and address family.
    func usableTarget(_ targets: [SIPLocatedTarget]) -> SIPLocatedTarget? {
        targets.first { target in
            let wanted: SIPTransportKind
            switch target.transport {
            case .udp: wanted = .udp
            case .tcp: wanted = .tcp
            case .tls: return false
            }
            let v6 = target.address.contains(":")
            return listeners.contains { $0.transport == wanted && ($0.localAddress.protocol == .inet6) == v6 }
        }
    }

    /// Fails the client transaction of an unresolvable request: the proxy synthesizes a 503 for the branch.
    func failUnresolved(_ request: SIPMessage) {
        guard let key = SIPClientTransactionKey(message: request), let id = proxy.transactions.clientIndex[key] else { return }
        perform(proxy.transportFailed(id, now: EdgeClock.monotonicNow()))
    }
}
