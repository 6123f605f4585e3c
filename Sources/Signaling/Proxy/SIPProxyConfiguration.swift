/// One local socket the proxy listens on, with the address it advertises in its Via and
/// Record-Route entries (the public address when the host sits behind a 1:1 NAT).
public struct SIPProxyListener: Sendable, Hashable {
    public var socket: LocalSocketRef
    /// Advertised host: an IP literal (IPv6 without brackets) or a name.
    public var host: String
    public var port: Int
    public var transport: SIPPeerTransport

    public init(socket: LocalSocketRef, host: String, port: Int, transport: SIPPeerTransport) {
        self.socket = socket
        self.host = host
        self.port = port
        self.transport = transport
    }

    /// The host as a URI/Via host (IPv6 in brackets).
    var sipHost: SIPHost {
        if host.utf8.contains(UInt8(ascii: ":")) { return SIPHost(kind: .ipv6, text: "[\(host)]") }
        let isIPv4 = !host.isEmpty && host.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }
        return SIPHost(kind: isIPv4 ? .ipv4 : .domain, text: host)
    }

    /// `<sip:HOST:PORT;transport=X;lr>` as a URI.
    var recordRouteURI: SIPURI {
        SIPURI(scheme: .sip, host: sipHost, port: port,
               parameters: [SIPParameter(name: "transport", value: transport.uriParameter), SIPParameter(name: "lr")])
    }
}

/// When the proxy puts itself in the route set of dialogs (RFC 3261 §16.6 item 4).
public enum SIPRecordRouteMode: Sendable, Hashable {
    /// Never record-route (in-dialog requests then bypass the proxy).
    case off
    /// One entry: the socket the request arrived on.
    case single
    /// One entry, or two when the request leaves from a different socket than it arrived on
    /// (e.g. UDP in, TCP out, or public in, private out): the lower entry names the inbound
    /// socket (the caller's side uses it), the top one the outbound socket (the callee's side).
    case doubleWhenSocketsDiffer
}

/// When a failed group of targets makes the proxy try the next group (RFC 3261 §16.6 q-value
/// groups; the dispatcher's serial failover).
public struct SIPFailoverPolicy: Sendable, Hashable {
    /// Status codes (of the best response of the finished group) that move on to the next group.
    /// Timeouts count as 408 and transport errors as 503 (§16.7, §16.9).
    public var statuses: Set<Int>

    public init(statuses: Set<Int>) { self.statuses = statuses }

    /// 408 and every 5xx: the downstream did not answer or is in trouble, while a 4xx (busy,
    /// not found) is an answer. 6xx never fails over.
    public static let serverErrorsAndTimeouts = SIPFailoverPolicy(statuses: Set([408]).union(500...599))
    /// RFC 3261 strict q semantics: any non-2xx below 600 moves on.
    public static let anyFailure = SIPFailoverPolicy(statuses: Set(300...599))
}

/// Everything the proxy core is told at start.
public struct SIPProxyConfiguration: Sendable {
    /// The sockets the proxy owns; the first one of a transport is the default outbound socket for it.
    public var listeners: [SIPProxyListener]
    /// Hosts (lower case) that are "us" for the Request-URI besides the listeners' own hosts (the
    /// domains the proxy/registrar is responsible for, §16.5).
    public var localDomains: Set<String>
    public var recordRoute: SIPRecordRouteMode
    /// Option tags the proxy supports in Proxy-Require; any other one gets 420 (§16.3 item 5).
    public var supportedProxyExtensions: Set<String>
    /// Whether `tel:` Request-URIs are routed (otherwise 416 like any scheme but sip/sips).
    public var acceptsTelURIs: Bool
    /// Loop detection by branch hash (§16.3 item 4).
    public var detectsLoops: Bool
    /// Whether requests are fully validated (`SIPMessage.validate()`) before processing; invalid
    /// ones get 400. When off, only what the proxy reads must parse.
    public var validatesRequests: Bool
    /// Transactions in progress (no final response yet, client + server) at which new requests
    /// get a stateless 503: the overload limit. Completed transactions that only absorb
    /// retransmissions for 64·T1 do not count (counting them made every INVITE 503 after a
    /// REGISTER burst: 50,000 answered REGISTERs sit out timer J for 32 s).
    public var maxPendingTransactions: Int
    /// All live transactions (including completed ones waiting out their timers) at which new
    /// requests get a stateless 503: a memory cap, far above what the pending limit allows.
    public var maxLiveTransactions: Int
    /// Retry-After seconds of the overload 503.
    public var overloadRetryAfter: Int
    public var failover: SIPFailoverPolicy
    public var transactions: SIPTransactionLayer.Settings
    /// `Server` header value on responses the proxy generates (nil: none).
    public var serverHeader: String?
    /// Mixed into branches of requests the proxy originates, so that two instances differ.
    public var instanceSeed: UInt64

    public init(listeners: [SIPProxyListener], localDomains: Set<String> = [],
                recordRoute: SIPRecordRouteMode = .doubleWhenSocketsDiffer, supportedProxyExtensions: Set<String> = [],
                acceptsTelURIs: Bool = false, detectsLoops: Bool = true, validatesRequests: Bool = true,
                maxPendingTransactions: Int = 50_000, maxLiveTransactions: Int = 2_000_000, overloadRetryAfter: Int = 5,
                failover: SIPFailoverPolicy = .serverErrorsAndTimeouts,
                transactions: SIPTransactionLayer.Settings = .init(), serverHeader: String? = SignalingLibrary.name,
                instanceSeed: UInt64 = 0)
    {
        self.listeners = listeners
        self.localDomains = Set(localDomains.map { $0.lowercased() })
        self.recordRoute = recordRoute
        self.supportedProxyExtensions = supportedProxyExtensions
        self.acceptsTelURIs = acceptsTelURIs
        self.detectsLoops = detectsLoops
        self.validatesRequests = validatesRequests
        self.maxPendingTransactions = maxPendingTransactions
        self.maxLiveTransactions = maxLiveTransactions
        self.overloadRetryAfter = overloadRetryAfter
        self.failover = failover
        self.transactions = transactions
        self.serverHeader = serverHeader
        self.instanceSeed = instanceSeed
    }
}
