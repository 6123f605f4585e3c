/// One SIP listener of the edge: what to bind and what to advertise in Via / Record-Route.
public struct EdgeListener: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var transport: SIPTransportKind
    /// The public address to write in Via / Record-Route when the edge sits behind a 1:1 NAT.
    public var advertisedHost: String?
    public var advertisedPort: Int?

    public init(host: String, port: Int, transport: SIPTransportKind, advertisedHost: String? = nil,
                advertisedPort: Int? = nil)
    {
        self.host = host
        self.port = port
        self.transport = transport
        self.advertisedHost = advertisedHost
        self.advertisedPort = advertisedPort
    }

    /// Parses `udp:127.0.0.1:5060`, `tcp:[::1]:5060` (the `--listen` flag form).
    public init?(flag: String) {
        guard let colon = flag.firstIndex(of: ":"), let kind = SIPTransportKind(rawValue: String(flag[..<colon]).lowercased()),
              let (host, port) = EdgeAddressText.hostPort(String(flag[flag.index(after: colon)...]))
        else { return nil }
        self.init(host: host, port: port, transport: kind)
    }
}

/// Registrar limits and domain modes as configured (the parts SIGHUP may change).
public struct EdgeRegistrarSettings: Sendable, Hashable {
    /// Mode per domain (lower case); domains not listed use `defaultMode`.
    public var domains: [String: RegistrarDomainMode] = [:]
    /// Mode of every other domain: zero-config is a local registrar for any domain.
    public var defaultMode: RegistrarDomainMode = .local
    public var minExpires = 60
    public var maxExpires = 3600
    public var defaultExpires = 3600
    public var maxContacts = 10

    public init() {}

    /// Applies these settings over a registrar configuration.
    public func apply(to configuration: inout RegistrarConfiguration) {
        configuration.minExpires = minExpires
        configuration.maxExpires = maxExpires
        configuration.defaultExpires = defaultExpires
        configuration.maxContacts = maxContacts
        let domains = domains
        let fallback = defaultMode
        configuration.domainMode = { host in domains[host.lowercased()] ?? fallback }
    }
}

/// Keepalive settings as configured.
public struct EdgeKeepaliveSettings: Sendable, Hashable {
    public var enabled = true
    public var intervalMilliseconds: Int64 = 20_000
    public var maxPingsLost = 3
    /// UDP pings and their replies through each listener's keepalive twin (same address and port, see
    /// `KeepaliveTwinSocket`); false sends them through the listener's own socket and pipeline. Read at start.
    public var twin = true

    public init() {}
}

/// Everything `tandem signaling` is told at start. The defaults are the zero-config edge: loopback
/// 5060 UDP+TCP, local registrar for any domain, keepalives every 20 s, admin on 127.0.0.1:9103.
public struct EdgeConfiguration: Sendable {
    public var listeners: [EdgeListener] = [
        EdgeListener(host: "127.0.0.1", port: 5060, transport: .udp),
        EdgeListener(host: "127.0.0.1", port: 5060, transport: .tcp),
    ]
    /// The FreeSWITCH farm: requests from clients go here (in order, next one on 408/5xx), and a
    /// request *from* one of these address:port pairs is "from the backend".
    public var farm: [SIPPeer] = []
    /// ITSP trunks (YAML `gateways:`): their requests are inbound DID calls to the farm, and farm
    /// requests naming them go to them (see `EdgeGateway`).
    public var gateways: [EdgeGateway] = []
    /// The dispatcher's sets, algorithms and probing (YAML `dispatcher:`); nil: only `farm`, which
    /// always becomes the implicit round-robin set "farm" (see `effectiveDispatcher`).
    public var dispatcher: DispatcherConfiguration?
    /// The set requests from clients are dispatched over; nil: the first configured set.
    public var dispatcherSet: String?
    public var registrar = EdgeRegistrarSettings()
    public var keepalive = EdgeKeepaliveSettings()
    /// Media steering through ng relays (YAML `media:`; no relays = off).
    public var media = EdgeMediaSettings()
    /// Next-hop name resolution (`EdgeDNSSettings`).
    public var dns = EdgeDNSSettings()
    /// SUBSCRIBE/NOTIFY, PUBLISH and MESSAGE answered at the edge (`EdgePresenceSettings`).
    public var presence = EdgePresenceSettings()
    /// Admin HTTP `host:port`; nil disables it.
    public var admin: String? = "127.0.0.1:9103"
    /// Where the SQLite location file lives.
    public var dataDirectory = "./var/signaling"
    /// Whether bindings are also written to `location.sqlite` (YAML `location.store`; `memory` =
    /// usrloc `db_mode 0`, lost on restart).
    public var locationStore = EdgeLocationStore.sqlite
    /// RFC 3261 T1 in ms (timer B/F = 64·T1). Tests shorten it so failures surface in seconds.
    public var t1Milliseconds: Int64 = 500
    /// Timer C (INVITE branch without final response), ms.
    public var timerCMilliseconds: Int64 = 180_000
    /// How long SIGTERM waits for in-flight transactions to finish.
    public var drainMilliseconds: Int64 = 5_000
    public var logLevel = "info"

    public init() {}
}

/// `host:port` / `[v6]:port` / `sip:host:port` text helpers for flags and config values.
public enum EdgeAddressText {
    /// Splits `host:port` or `[v6]:port` (brackets removed).
    public static func hostPort(_ text: String) -> (String, Int)? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (0...65535).contains(port) else { return nil }
            return (host, port)
        }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port), colon != text.startIndex
        else { return nil }
        return (String(text[..<colon]), port)
    }

    /// Parses a farm backend `sip:host:port[;transport=tcp]` (port defaults to 5060).
    public static func farmPeer(_ text: String) -> SIPPeer? {
        var rest = Substring(text)
        if rest.lowercased().hasPrefix("sip:") { rest = rest.dropFirst(4) }
        var transport = SIPPeerTransport.udp
        if let semicolon = rest.firstIndex(of: ";") {
            let params = rest[rest.index(after: semicolon)...].lowercased()
            rest = rest[..<semicolon]
            if params.hasPrefix("transport=") {
                guard let t = SIPPeerTransport(token: String(params.dropFirst("transport=".count))) else { return nil }
                transport = t
            }
        }
        if let (host, port) = hostPort(String(rest)) { return SIPPeer(host: host, port: port, transport: transport) }
        guard !rest.isEmpty, !rest.contains(":") || rest.hasPrefix("[") else { return nil }
        let host = rest.hasPrefix("[") ? String(rest.dropFirst().dropLast()) : String(rest)
        return SIPPeer(host: host, port: 5060, transport: transport)
    }
}
