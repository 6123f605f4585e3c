/// Route information (RFC 3261 §16.4), what counts as "us", and next-hop selection (§16.6 item 7).
extension SIPProxy {
    /// Whether a URI names one of our listeners (host and port), or with `includingDomains` also
    /// one of `localDomains` (any port).
    func isOurs(_ uri: SIPURI, includingDomains: Bool = false) -> Bool {
        guard let host = uri.host?.address.lowercased() else { return false }
        let transport = uri.transport.flatMap(SIPPeerTransport.init(token:))
        let port = uri.port ?? transport?.defaultPort ?? (uri.scheme == .sips ? 5061 : 5060)
        if configuration.listeners.contains(where: { $0.host.lowercased() == host && $0.port == port }) { return true }
        return includingDomains && configuration.localDomains.contains(host)
    }

    /// §16.4: a Request-URI that is one of our Record-Route values means a strict router before us
    /// put it there: restore the real Request-URI from the last Route. Then remove every Route
    /// entry on top that is ours (one, or two after double record-routing).
    mutating func preprocessRoutes(_ request: inout SIPMessage, requestURI: SIPURI? = nil) {
        if let uri = requestURI ?? (try? request.requestURI), uri.user == nil, isOurs(uri),
           let last = (try? request.routes)?.last
        {
            do {
                try request.setRequestURI(last.uri)
                request.removeRouteElement(first: false)
            } catch {
                counters.drop(.internalError)
            }
        }
        while let top = (try? request.routes)?.first, isOurs(top.uri) {
            request.removeRouteElement(first: true)
        }
    }

    /// The address a URI resolves to without DNS: maddr or host, port (default by transport), and
    /// transport from `transport=` (sips: TLS, else UDP). Names stay names; the driver resolves them.
    static func peer(for uri: SIPURI) -> SIPPeer {
        let transport = uri.transport.flatMap(SIPPeerTransport.init(token:)) ?? (uri.scheme == .sips ? .tls : .udp)
        let host = uri.maddr ?? uri.host?.address ?? ""
        return SIPPeer(host: host, port: uri.port ?? transport.defaultPort, transport: transport)
    }

    /// §16.6 item 7 / §8.1.2: the explicit next hop of the target wins (a binding's source address,
    /// a dispatcher node), else the top Route, else the Request-URI.
    func nextHop(for request: SIPMessage, target: SIPTarget) -> SIPPeer {
        if let hop = target.nextHop { return hop }
        if let route = (try? request.routes)?.first { return Self.peer(for: route.uri) }
        return Self.peer(for: target.uri)
    }

    /// The socket a message to `peer` leaves from: the target's, else the inbound one when it
    /// speaks the same transport, else the first listener of that transport.
    func outboundListener(for peer: SIPPeer, preferred: LocalSocketRef?, inbound: LocalSocketRef?) -> SIPProxyListener? {
        let listeners = configuration.listeners
        if let preferred, let l = listeners.first(where: { $0.socket == preferred }) { return l }
        if let inbound, let l = listeners.first(where: { $0.socket == inbound && $0.transport == peer.transport }) { return l }
        return listeners.first { $0.transport == peer.transport } ?? listeners.first
    }

    func listener(_ socket: LocalSocketRef) -> SIPProxyListener? {
        configuration.listeners.first { $0.socket == socket }
    }
}
