#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 address and UDP port, both kept in network byte order (what `sockaddr_in` wants).
public struct IPv4Endpoint: Sendable, Equatable, CustomStringConvertible {
    public var addressBigEndian: UInt32
    public var portBigEndian: UInt16

    public init(addressBigEndian: UInt32, portBigEndian: UInt16) {
        self.addressBigEndian = addressBigEndian
        self.portBigEndian = portBigEndian
    }

    /// `a.b.c.d` and a host-order port; nil unless `host` is an IPv4 literal (or `localhost`).
    public init?(host: String, port: Int) {
        guard (0...65535).contains(port) else { return nil }
        var addr = in_addr()
        let literal = host == "localhost" ? "127.0.0.1" : host
        guard inet_pton(AF_INET, literal, &addr) == 1 else { return nil }
        addressBigEndian = addr.s_addr
        portBigEndian = UInt16(port).bigEndian
    }

    /// `HOST:PORT`.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        self.init(host: String(text[..<colon]), port: port)
    }

    public var port: Int { Int(UInt16(bigEndian: portBigEndian)) }

    public var host: String {
        let a = UInt32(bigEndian: addressBigEndian)
        return "\(a >> 24).\((a >> 16) & 0xFF).\((a >> 8) & 0xFF).\(a & 0xFF)"
    }

    public var description: String { "\(host):\(port)" }

    var sockaddr: sockaddr_in {
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = portBigEndian
        sa.sin_addr.s_addr = addressBigEndian
        return sa
    }
}
