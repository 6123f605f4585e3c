import NIOCore

/// Conversions between the transport's NIO addresses and the cores' text peers.
enum EdgeAddressing {
    /// NIO source address → `SIPPeer` (nil for a Unix socket, which SIP never uses).
    static func peer(_ address: SocketAddress, transport: SIPTransportKind) -> SIPPeer? {
        guard let host = address.ipAddress, let port = address.port else { return nil }
        return SIPPeer(host: host, port: port, transport: transport == .udp ? .udp : .tcp)
    }

    /// `SIPPeer` → NIO address, for IP literals only (no DNS yet, see the README).
    static func socketAddress(_ peer: SIPPeer) -> SocketAddress? {
        var host = peer.host
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return try? SocketAddress(ipAddress: host, port: peer.port)
    }
}

extension RegistrarPeer {
    init(_ peer: SIPPeer) {
        self.init(host: peer.host, port: peer.port, transport: RegistrarTransport(token: peer.transport.uriParameter) ?? .udp)
    }
}

extension SIPPeer {
    init(_ peer: RegistrarPeer) {
        var host = peer.host
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.init(host: host, port: peer.port, transport: SIPPeerTransport(token: peer.transport.rawValue) ?? .udp)
    }
}
