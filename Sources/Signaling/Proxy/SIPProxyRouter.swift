/// Where the proxy should send a request: the decision the registrar, the dispatcher or the
/// daemon's glue makes. The proxy core asks only for requests that have no Route left after its
/// own Route entries are removed (in-dialog and pre-routed requests just follow their Route).
public protocol SIPProxyRouter {
    mutating func route(_ request: SIPRoutingRequest) -> SIPRoutingDecision

    /// Whether a new request goes to the application *without* a server transaction (a stateless
    /// UAS, RFC 3261 §8.2.7): `.deliverLocal` with `server: nil`, answered with
    /// `SIPProxy.sendStatelessResponse`. For requests whose answer is idempotent, like REGISTER at a
    /// local registrar (a retransmission gets the same 200 from the CSeq rule of §10.3 step 7):
    /// no transaction means no 32 s of timer J per REGISTER, which at tens of thousands of
    /// REGISTERs per second is most of the proxy's memory and timer work. Default: false.
    func answersStatelessly(_ request: SIPMessage, source: SIPPeer) -> Bool
}

extension SIPProxyRouter {
    public func answersStatelessly(_ request: SIPMessage, source: SIPPeer) -> Bool { false }
}

/// What the router sees: the request after validation, Max-Forwards decrement and Route
/// preprocessing, and facts the proxy already worked out.
public struct SIPRoutingRequest: Sendable {
    public var message: SIPMessage
    public var method: SIPMethod
    public var source: SIPPeer
    public var local: LocalSocketRef
    /// The Request-URI names one of our listeners or local domains.
    public var isAddressedToUs: Bool
    /// The To header carries a tag (a mid-dialog request).
    public var isInDialog: Bool
    /// The server transaction (nil for an ACK, which has none).
    public var serverTransaction: SIPTransactionID?
}

/// The router's answer.
public enum SIPRoutingDecision: Sendable {
    /// Proxy the request statefully to these targets (see `SIPForkMode`).
    case forward([SIPTarget], SIPForkMode = .qGroups)
    /// Answer it here with this status (e.g. 404 when the registrar has no binding).
    case respond(status: Int, reason: String, headers: [SIPHeaderLine] = [])
    /// Hand it to the application (`SIPProxyAction.deliverLocal`), e.g. a REGISTER for the
    /// registrar; the application answers with `SIPProxy.respond` or routes later with `SIPProxy.forward`.
    case local
}

/// How several targets are tried (RFC 3261 §16.6 and q-values, RFC 3261 §16.6 item 1 / §20.10).
public enum SIPForkMode: Sendable, Hashable {
    /// Targets with equal q form a group tried in parallel; groups run in descending q order, the
    /// next one only when the previous failed per `SIPFailoverPolicy`.
    case qGroups
    /// All targets at once.
    case parallel
    /// One after the other in the given order (the dispatcher's serial failover).
    case sequential
}

/// One place to send a request to.
public struct SIPTarget: Sendable, Hashable {
    /// The new Request-URI (a registered contact, a gateway URI, or the unchanged Request-URI).
    public var uri: SIPURI
    /// Where to send it regardless of URI and Route (the registration's source address behind
    /// NAT, a dispatcher's node); nil: the top Route, else the URI.
    public var nextHop: SIPPeer?
    /// The socket to send from (the one the binding registered through); nil: chosen by transport.
    public var local: LocalSocketRef?
    /// Preference 0...1 (Contact q); higher first.
    public var q: Double
    /// Route entries to pre-load (e.g. the registration's Path, RFC 3327), first on top.
    public var routes: [SIPURI]

    public init(uri: SIPURI, nextHop: SIPPeer? = nil, local: LocalSocketRef? = nil, q: Double = 1.0, routes: [SIPURI] = []) {
        self.uri = uri
        self.nextHop = nextHop
        self.local = local
        self.q = q
        self.routes = routes
    }
}
