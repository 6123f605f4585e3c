extension SocketEndpoint {
    /// The kernel form of a session-layer endpoint, built from its integers: the ng command path used to format
    /// the address as text and parse it back (`inet_pton`) for every port opened and every forwarding entry.
    init(_ endpoint: MediaEndpoint) {
        switch endpoint.address {
        case .v4(let value):
            self = .ipv4(UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value), port: endpoint.port)
        case .v6(let high, let low):
            var bytes = [UInt8](repeating: 0, count: 16)
            for index in 0..<8 {
                bytes[index] = UInt8(truncatingIfNeeded: high >> (56 - 8 * index))
                bytes[8 + index] = UInt8(truncatingIfNeeded: low >> (56 - 8 * index))
            }
            // Sixteen bytes always make an IPv6 endpoint.
            self = .ipv6(bytes, port: endpoint.port) ?? .ipv4(0, 0, 0, 0, port: endpoint.port)
        }
    }
}
