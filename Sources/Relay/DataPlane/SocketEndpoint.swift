import CShims

/// An IPv4 or IPv6 UDP endpoint (address + port), stored exactly as the kernel wants it (`tdm_endpoint`).
///
/// Control-side value type: the session layer builds these from SDP (`init?(address:port:)` parses text) and
/// hands them to `DataPlane.updateForwarding`; the data plane copies the raw socket address into worker memory.
public struct SocketEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// `AF_INET` or `AF_INET6`.
    public let family: Int32
    /// UDP port in host byte order.
    public let port: UInt16
    /// The address in network order packed big-endian into two words (IPv4: the low 32 bits of `low`, `high` 0).
    /// Inline rather than a `[UInt8]`: the ng path builds an endpoint for every forwarding update, and an array per
    /// endpoint was a malloc and a free each time (issue 3).
    let high: UInt64
    let low: UInt64

    /// 4 (IPv4) or 16 (IPv6) address bytes in network order.
    public var addressBytes: [UInt8] { withAddressBytes { Array($0) } }

    /// 4 (IPv4) or 16 (IPv6).
    var addressLength: Int { family == AF_INET ? 4 : 16 }

    /// Calls `body` with the 4 or 16 address bytes in network order, without building an array.
    func withAddressBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let words = (high.bigEndian, low.bigEndian)
        return try withUnsafeBytes(of: words) { all in
            try body(family == AF_INET ? UnsafeRawBufferPointer(rebasing: all[12..<16]) : all)
        }
    }

    /// IPv4 from four octets.
    public static func ipv4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, port: UInt16) -> SocketEndpoint {
        SocketEndpoint(ipv4: UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d), port: port)
    }

    /// IPv6 from 16 bytes (nil for any other count).
    public static func ipv6(_ bytes: [UInt8], port: UInt16) -> SocketEndpoint? {
        guard bytes.count == 16 else { return nil }
        return bytes.withUnsafeBytes { SocketEndpoint(family: AF_INET6, port: port, bytes: $0) }
    }

    /// IPv4 from its 32-bit value (`a.b.c.d` is `a << 24 | ...`).
    init(ipv4 value: UInt32, port: UInt16) {
        self.family = AF_INET
        self.port = port
        self.high = 0
        self.low = UInt64(value)
    }

    /// IPv6 from its two 64-bit halves (the first address byte is the top byte of `high`).
    init(ipv6High high: UInt64, low: UInt64, port: UInt16) {
        self.family = AF_INET6
        self.port = port
        self.high = high
        self.low = low
    }

    /// Parses a numeric IPv4 or IPv6 address (no host names); nil if it is neither.
    public init?(address: String, port: UInt16) {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            self = withUnsafeBytes(of: &v4) { SocketEndpoint(family: AF_INET, port: port, bytes: $0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 {
            self = withUnsafeBytes(of: &v6) { SocketEndpoint(family: AF_INET6, port: port, bytes: $0) }
            return
        }
        return nil
    }

    /// From 4 (`AF_INET`) or 16 (`AF_INET6`) bytes in network order; callers pass exactly that many.
    private init(family: Int32, port: UInt16, bytes: UnsafeRawBufferPointer) {
        func word(_ range: Range<Int>) -> UInt64 {
            var value: UInt64 = 0
            for index in range where index < bytes.count { value = value << 8 | UInt64(bytes[index]) }
            return value
        }
        self.family = family
        self.port = port
        if family == AF_INET {
            self.high = 0
            self.low = word(0..<4)
        } else {
            self.high = word(0..<8)
            self.low = word(8..<16)
        }
    }

    /// Reads a `tdm_endpoint`; nil when unset or not IPv4/IPv6.
    init?(_ raw: tdm_endpoint) {
        var copy = raw
        guard copy.len != 0 else { return nil }
        let family = Int32(copy.sa.sin6_family)
        if family == AF_INET {
            let parsed: SocketEndpoint = withUnsafeBytes(of: &copy.sa) { bytes in
                let sin = bytes.load(as: sockaddr_in.self)
                return SocketEndpoint(ipv4: UInt32(bigEndian: sin.sin_addr.s_addr),
                                      port: UInt16(bigEndian: sin.sin_port))
            }
            self = parsed
        } else if family == AF_INET6 {
            var address = copy.sa.sin6_addr
            let port = UInt16(bigEndian: copy.sa.sin6_port)
            self = withUnsafeBytes(of: &address) { SocketEndpoint(family: AF_INET6, port: port, bytes: $0) }
        } else {
            return nil
        }
    }

    /// The kernel representation.
    var raw: tdm_endpoint {
        var endpoint = tdm_endpoint()
        withUnsafeMutableBytes(of: &endpoint.sa) { out in
            if family == AF_INET {
                var sin = sockaddr_in()
                sin.sin_family = sa_family_t(AF_INET)
                sin.sin_port = port.bigEndian
                sin.sin_addr.s_addr = UInt32(truncatingIfNeeded: low).bigEndian
                withUnsafeBytes(of: &sin) { out.copyMemory(from: $0) }
            } else {
                var sin6 = sockaddr_in6()
                sin6.sin6_family = sa_family_t(AF_INET6)
                sin6.sin6_port = port.bigEndian
                withAddressBytes { bytes in withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyMemory(from: bytes) } }
                withUnsafeBytes(of: &sin6) { out.copyMemory(from: $0) }
            }
        }
        endpoint.len = UInt32(family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
        return endpoint
    }

    /// Numeric text form (`127.0.0.1:4000`, `[::1]:4000`).
    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        var bytes = addressBytes
        let ok = bytes.withUnsafeMutableBytes { address in
            text.withUnsafeMutableBufferPointer {
                inet_ntop(family, address.baseAddress, $0.baseAddress, socklen_t($0.count)) != nil
            }
        }
        let host = ok ? String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        return family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
