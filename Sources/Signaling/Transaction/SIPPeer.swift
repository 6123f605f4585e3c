/// The transport a SIP message travels over, as far as the transaction layer cares: its Via token
/// and whether it is reliable (RFC 3261 §17: retransmission timers run only over unreliable ones).
public enum SIPPeerTransport: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case udp, tcp, tls, sctp, ws, wss

    /// Whether the transport itself delivers reliably, so that timers A, E and G stay off and
    /// the wait timers D, I, K and J are zero.
    public var isReliable: Bool { self != .udp }

    /// The upper-case token written in a Via (`SIP/2.0/UDP`).
    public var viaToken: String {
        switch self {
        case .udp: return "UDP"
        case .tcp: return "TCP"
        case .tls: return "TLS"
        case .sctp: return "SCTP"
        case .ws: return "WS"
        case .wss: return "WSS"
        }
    }

    /// The lower-case value of a URI `transport=` parameter.
    public var uriParameter: String { viaToken.lowercased() }

    /// The port a sent-by or URI without one means (RFC 3261 §18.2.2, §19.1.2).
    public var defaultPort: Int {
        switch self {
        case .tls, .wss: return 5061
        default: return 5060
        }
    }

    /// Reads a Via transport token or URI `transport=` value, case-insensitively.
    public init?(token: String) {
        switch token.lowercased() {
        case "udp": self = .udp
        case "tcp": self = .tcp
        case "tls": self = .tls
        case "sctp": self = .sctp
        case "ws": self = .ws
        case "wss": self = .wss
        default: return nil
        }
    }

    public var description: String { uriParameter }
}

/// A remote SIP element as the transport drivers see it: an address, a port and the transport.
/// The host is kept as text (an IP literal, or a name the driver still has to resolve) so that the
/// sans-I/O cores never depend on socket address types.
public struct SIPPeer: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4/IPv6 literal (IPv6 without brackets) or a domain name.
    public var host: String
    public var port: Int
    public var transport: SIPPeerTransport

    public init(host: String, port: Int, transport: SIPPeerTransport) {
        self.host = host
        self.port = port
        self.transport = transport
    }

    public var description: String {
        host.contains(":") ? "\(transport)://[\(host)]:\(port)" : "\(transport)://\(host):\(port)"
    }
}

/// An opaque reference to one local socket (listener) of the transport driver: a message that
/// arrived on it is answered from it, and the cores hand it back on `send` actions. The driver
/// decides what the number means (e.g. the listener index).
public struct LocalSocketRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var rawValue: Int

    public init(_ rawValue: Int) { self.rawValue = rawValue }

    public static func < (lhs: LocalSocketRef, rhs: LocalSocketRef) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "local#\(rawValue)" }
}
