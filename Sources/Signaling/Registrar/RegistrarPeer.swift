/// The transport a binding's traffic uses. Kept separate from the Transport folder's types so the
/// registrar core depends only on the codec (the daemon maps between the two).
public enum RegistrarTransport: String, Sendable, Hashable, CaseIterable {
    case udp, tcp, tls, sctp, ws, wss

    /// Parses a Via/URI transport token case-insensitively (nil for unknown tokens).
    public init?(token: String) {
        self.init(rawValue: token.lowercased())
    }

    /// Connection-oriented transports reach the phone only through the connection it opened, so
    /// their bindings always route to the source and are kept alive with CRLF, not OPTIONS.
    public var isStream: Bool { self != .udp }

    /// The port a sent-by without a port means (RFC 3261 §18.2.1, §19.1.2).
    public var defaultPort: Int { (self == .tls || self == .wss) ? 5061 : 5060 }

    /// Kamailio's protocol numbers, used in the `alias` Contact parameter (`ip~port~proto`).
    public var aliasNumber: Int {
        switch self {
        case .udp: return 1
        case .tcp: return 2
        case .tls: return 3
        case .sctp: return 4
        case .ws: return 5
        case .wss: return 6
        }
    }
}

/// Where a message came from (or goes to): an IP literal, a port and a transport. `host` is the
/// address as the socket layer reports it (IPv6 without brackets).
public struct RegistrarPeer: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var transport: RegistrarTransport

    public init(host: String, port: Int, transport: RegistrarTransport) {
        self.host = host
        self.port = port
        self.transport = transport
    }

    /// The host as it goes into a URI or Via (IPv6 in brackets).
    public var uriHost: String { host.utf8.contains(UInt8(ascii: ":")) && host.utf8.first != UInt8(ascii: "[") ? "[\(host)]" : host }

    /// `sip:IP:port` plus `;transport=` for anything but UDP: the `received` value of Path and bindings.
    public var sipURIText: String {
        var text = "sip:\(uriHost):\(port)"
        if transport != .udp { text += ";transport=\(transport.rawValue)" }
        return text
    }

    public var description: String { "\(transport.rawValue):\(uriHost):\(port)" }
}

/// Wall-clock time in milliseconds since 1970. Wall clock (not monotonic) because binding expiry
/// survives restarts through the SQLite store. Injected everywhere so tests run on a fake clock.
public struct RegistrarInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    public init(seconds: Int64) { self.milliseconds = seconds &* 1000 }

    public func adding(seconds: Int) -> RegistrarInstant { RegistrarInstant(milliseconds: milliseconds &+ Int64(seconds) &* 1000) }
    public func adding(milliseconds delta: Int64) -> RegistrarInstant { RegistrarInstant(milliseconds: milliseconds &+ delta) }

    /// Whole seconds from `self` until `later`, rounded up, never negative.
    public func secondsUntil(_ later: RegistrarInstant) -> Int {
        let delta = later.milliseconds - milliseconds
        return delta <= 0 ? 0 : Int((delta + 999) / 1000)
    }

    public static func < (a: RegistrarInstant, b: RegistrarInstant) -> Bool { a.milliseconds < b.milliseconds }

    public var description: String { "t=\(milliseconds)ms" }
}
