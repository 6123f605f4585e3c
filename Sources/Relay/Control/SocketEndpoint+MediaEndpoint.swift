extension SocketEndpoint {
    /// The kernel form of a session-layer endpoint, built from its integers: the ng command path used to format
    /// the address as text and parse it back (`inet_pton`) for every port opened and every forwarding entry, and
    /// then built a byte array per endpoint; both address forms are now the same two words.
    init(_ endpoint: MediaEndpoint) {
        switch endpoint.address {
        case .v4(let value): self.init(ipv4: value, port: endpoint.port)
        case .v6(let high, let low): self.init(ipv6High: high, low: low, port: endpoint.port)
        }
    }
}
