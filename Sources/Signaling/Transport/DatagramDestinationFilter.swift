import NIOCore

/// Destinations a UDP listener must never be asked to write to.
///
/// Why: NIO closes a datagram channel on any `sendmsg` error other than EMSGSIZE and EHOSTUNREACH, and a closed
/// listener silently stops reading. A response goes where the request's top Via says (RFC 3261 §18.2.2), so one
/// hostile datagram naming a broadcast, multicast, unspecified or other-family address, or, on a loopback
/// listener, any address off the host (EINVAL), would take the listener down. The RFC 4475 wire test found it
/// (`ncl`: Via 192.0.2.53 on a 127.0.0.1 listener). Such sends are refused before the write and counted as send
/// failures. Not covered: ENETUNREACH/EPERM for an address with no route or a firewall reject, which depend on the
/// host's routes and rules.
enum DatagramDestinationFilter {
    /// Whether `destination` can be written by a UDP socket bound to `local`.
    static func isSendable(_ destination: SocketAddress, from local: SocketAddress) -> Bool {
        guard let port = destination.port, port > 0 else { return false }
        switch (destination, local) {
        case (.v4(let to), .v4(let from)):
            let address = UInt32(bigEndian: to.address.sin_addr.s_addr)
            let first = address >> 24
            // 0/8 "this network", 224/4 multicast, 240/4 reserved and 255.255.255.255 broadcast.
            guard first != 0, first < 224 else { return false }
            let localIsLoopback = UInt32(bigEndian: from.address.sin_addr.s_addr) >> 24 == 127
            return !localIsLoopback || first == 127
        case (.v6(let to), .v6(let from)):
            let bytes = withUnsafeBytes(of: to.address.sin6_addr) { Array($0) }
            // ff00::/8 multicast, :: unspecified.
            guard bytes.first != 0xFF, bytes.contains(where: { $0 != 0 }) else { return false }
            let loopback: [UInt8] = Array(repeating: 0, count: 15) + [1]
            let localIsLoopback = withUnsafeBytes(of: from.address.sin6_addr) { Array($0) } == loopback
            return !localIsLoopback || bytes == loopback
        default:
            // Another family than the socket's (EAFNOSUPPORT / EINVAL).
            return false
        }
    }
}
