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
    /// 4 (IPv4) or 16 (IPv6) address bytes in network order.
    public let addressBytes: [UInt8]

    /// IPv4 from four octets.
    public static func ipv4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, port: UInt16) -> SocketEndpoint {
        SocketEndpoint(family: AF_INET, port: port, addressBytes: [a, b, c, d])
    }

    /// IPv6 from 16 bytes (nil for any other count).
    public static func ipv6(_ bytes: [UInt8], port: UInt16) -> SocketEndpoint? {
        bytes.count == 16 ? SocketEndpoint(family: AF_INET6, port: port, addressBytes: bytes) : nil
    }

    /// Parses a numeric IPv4 or IPv6 address (no host names); nil if it is neither.
    public init?(address: String, port: UInt16) {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            self = withUnsafeBytes(of: &v4) { SocketEndpoint(family: AF_INET, port: port, addressBytes: Array($0)) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 {
            self = withUnsafeBytes(of: &v6) { SocketEndpoint(family: AF_INET6, port: port, addressBytes: Array($0)) }
            return
        }
        return nil
    }

    private init(family: Int32, port: UInt16, addressBytes: [UInt8]) {
        self.family = family
        self.port = port
        self.addressBytes = addressBytes
    }

    /// Reads a `tdm_endpoint`; nil when unset or not IPv4/IPv6.
    init?(_ raw: tdm_endpoint) {
        var copy = raw
        guard copy.len != 0 else { return nil }
        let family = Int32(copy.sa.sin6_family)
        if family == AF_INET {
            let parsed: SocketEndpoint = withUnsafeBytes(of: &copy.sa) { bytes in
                let sin = bytes.load(as: sockaddr_in.self)
                var address = sin.sin_addr
                let octets = withUnsafeBytes(of: &address) { Array($0) }
                return SocketEndpoint(family: AF_INET, port: UInt16(bigEndian: sin.sin_port), addressBytes: octets)
            }
            self = parsed
        } else if family == AF_INET6 {
            var address = copy.sa.sin6_addr
            let bytes = withUnsafeBytes(of: &address) { Array($0) }
            self.init(family: AF_INET6, port: UInt16(bigEndian: copy.sa.sin6_port), addressBytes: bytes)
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
                withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: addressBytes.prefix(4)) }
                withUnsafeBytes(of: &sin) { out.copyMemory(from: $0) }
            } else {
                var sin6 = sockaddr_in6()
                sin6.sin6_family = sa_family_t(AF_INET6)
                sin6.sin6_port = port.bigEndian
                withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: addressBytes.prefix(16)) }
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
