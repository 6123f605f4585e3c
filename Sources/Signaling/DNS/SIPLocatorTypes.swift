/// The transports RFC 3263 names (NAPTR services SIP+D2U, SIP+D2T, SIPS+D2T).
public enum SIPLocatorTransport: String, Sendable, Hashable, CaseIterable {
    case udp, tcp, tls

    var defaultPort: Int { self == .tls ? 5061 : 5060 }

    /// The SRV owner prefix (RFC 3263 §4.1: `_sips._tcp`, `_sip._tcp`, `_sip._udp`).
    var srvPrefix: [[UInt8]] {
        switch self {
        case .udp: [Array("_sip".utf8), Array("_udp".utf8)]
        case .tcp: [Array("_sip".utf8), Array("_tcp".utf8)]
        case .tls: [Array("_sips".utf8), Array("_tcp".utf8)]
        }
    }

    /// The NAPTR service field that selects this transport (RFC 3263 §4.1).
    var naptrService: [UInt8] {
        switch self {
        case .udp: Array("sip+d2u".utf8)
        case .tcp: Array("sip+d2t".utf8)
        case .tls: Array("sips+d2t".utf8)
        }
    }
}

/// What the caller knows about the next hop: the URI's host, and port and transport only when the URI
/// spelled them (RFC 3263 §4.1/§4.2 branch on exactly that).
public struct SIPLocatorRequest: Sendable, Hashable {
    public var host: String
    public var port: Int?
    public var transport: SIPLocatorTransport?
    /// A `sips:` URI: only TLS targets.
    public var secure: Bool

    public init(host: String, port: Int? = nil, transport: SIPLocatorTransport? = nil, secure: Bool = false) {
        self.host = host
        self.port = port
        self.transport = transport
        self.secure = secure
    }
}

/// One place to try, in the order to try them.
public struct SIPLocatedTarget: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4 or IPv6 literal (IPv6 without brackets).
    public var address: String
    public var port: Int
    public var transport: SIPLocatorTransport

    public init(address: String, port: Int, transport: SIPLocatorTransport) {
        self.address = address
        self.port = port
        self.transport = transport
    }

    public var description: String { "\(transport)://\(address):\(port)" }
}

/// Names one `locate` call so that its result can be matched to what waited for it.
public struct SIPLocatorLookupID: Sendable, Hashable, Comparable {
    public var rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What the locator asks its driver to do.
public enum SIPLocatorAction: Sendable, Hashable {
    /// Send this datagram to the nameserver.
    case send([UInt8])
    /// A lookup ended; an empty list means nothing resolved (RFC 3263 §4.3: the request fails).
    case finished(SIPLocatorLookupID, [SIPLocatedTarget])
}

/// Tunables; times in milliseconds except TTLs.
public struct SIPLocatorSettings: Sendable, Hashable {
    /// How long one query waits for its answer before it is sent again.
    public var queryTimeoutMilliseconds: Int64 = 1000
    /// Sends per question (first try included) before it counts as failed.
    public var attempts = 3
    /// TTLs are raised to this floor, so that a zero-TTL record still serves the lookup that asked
    /// (re-querying it forever would never finish) and capped at `maximumTTLSeconds`.
    public var minimumTTLSeconds: UInt32 = 5
    public var maximumTTLSeconds: UInt32 = 3600
    /// How long "no such record" is remembered when the server sent no SOA (RFC 2308), and the cap when it did.
    public var negativeTTLSeconds: UInt32 = 60
    /// How long a timed-out or SERVFAIL question is remembered as failed.
    public var failureTTLSeconds: UInt32 = 5
    /// Transports the caller can send on; NAPTR/SRV entries for others are skipped.
    public var transports: Set<SIPLocatorTransport> = [.udp, .tcp]
    /// Ask AAAA as well as A (A results come first).
    public var queryAAAA = true

    public init() {}
}
