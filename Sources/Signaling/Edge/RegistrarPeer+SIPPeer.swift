/// The registrar's peer ↔ the proxy's peer. Standard library only (not in `EdgeAddressing.swift`, which needs NIO)
/// so that the `sippath` fuzz target can compile it with the sans-I/O cores.
extension RegistrarPeer {
    init(_ peer: SIPPeer) {
        // A switch, not the token text: this runs for every inbound message.
        let transport: RegistrarTransport
        switch peer.transport {
        case .udp: transport = .udp
        case .tcp: transport = .tcp
        case .tls: transport = .tls
        case .sctp: transport = .sctp
        case .ws: transport = .ws
        case .wss: transport = .wss
        }
        self.init(host: peer.host, port: peer.port, transport: transport)
    }
}

extension SIPPeer {
    init(_ peer: RegistrarPeer) {
        var host = peer.host
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.init(host: host, port: peer.port, transport: SIPPeerTransport(token: peer.transport.rawValue) ?? .udp)
    }
}
