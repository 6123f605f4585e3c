/// Where a response to a request goes (RFC 3261 §18.2.2 with RFC 3581 §4 symmetric response
/// routing), decided from the request's top Via and the address it actually came from.
public enum SIPResponseAddressing {
    /// - Reliable transports: back to the source (the same connection).
    /// - `rport` present (filled or merely requested): the source address and port, which is
    ///   what makes NAT pinholes work.
    /// - `received` present: that address at the sent-by port (default 5060/5061).
    /// - Otherwise the sent-by host and port.
    /// `maddr` (multicast) is not supported; such responses go to the source too.
    public static func destination(topVia: SIPVia?, source: SIPPeer) -> SIPPeer {
        guard let via = topVia, !source.transport.isReliable, via.maddr == nil else { return source }
        switch via.rport {
        case .value, .requested:
            return source
        case .absent:
            break
        }
        let transport = SIPPeerTransport(token: via.transport) ?? source.transport
        let port = via.port ?? transport.defaultPort
        if let received = via.received { return SIPPeer(host: received, port: port, transport: source.transport) }
        return SIPPeer(host: via.host.address, port: port, transport: source.transport)
    }

    /// The next hop of a response forwarded statelessly (after the proxy popped its Via): the new
    /// top Via's received/rport/sent-by, over the transport that Via names.
    public static func statelessDestination(topVia via: SIPVia) -> SIPPeer {
        let transport = SIPPeerTransport(token: via.transport) ?? .udp
        let host = via.received ?? via.host.address
        if case .value(let port) = via.rport { return SIPPeer(host: host, port: port, transport: transport) }
        return SIPPeer(host: host, port: via.port ?? transport.defaultPort, transport: transport)
    }
}
