/// Where the edge sends a request: the Kamailio pass-through script of the seed, as a router.
///
/// The direction is decided by the packet source (`EdgeRequestDirection`): a farm box means the
/// request comes *from the backend*, a configured ITSP gateway means an inbound DID call, anything
/// else is a client.
/// - From the backend: the Request-URI's AOR is looked up in the registrar and the request forks to
///   every live binding (to the binding's received source through the socket it registered on, so
///   it passes the phone's NAT pinhole); only expired ones → 480. A Route built from the binding's
///   Path is not loaded: at the edge the Path points at ourselves. Not a phone (`outboundTarget`):
///   a Request-URI naming a gateway goes to that gateway, one addressed to the edge goes to the
///   `outbound` gateway, one with another IP literal host goes to that host (the edge is the farm's
///   outbound proxy, as FreeSWITCH's gateway `outbound-proxy`); else 404.
/// - From a gateway: to the farm like a client's call, with the gateway's set and hash (`hash: did`
///   keeps one DID on one box).
/// - From a client: REGISTER goes to the registrar (`.local`); everything else goes to the
///   dispatcher's candidates (`EdgeDispatch.route`), walked `.sequential`ly: the proxy fails over
///   to the next box on 408/5xx/timeout; no candidate → 500 (or 503) "No Destination available".
/// - OPTIONS addressed to the edge itself (no user part, or one of our listeners) → 200 from
///   either side: it is how monitoring and the backends check that the edge is alive.
/// - In-dialog requests that reach the router (no Route left) go to their Request-URI.
struct EdgeRouter: SIPProxyRouter {
    /// "Is this from the farm?": the source is a box of any dispatcher set (or of `farm:`).
    var isFarm: (SIPPeer) -> Bool
    /// The configured ITSP gateways.
    var gateways: [EdgeGateway] = []
    /// Picks the boxes for a request from a client, or from a gateway (its set and hash apply).
    var dispatch: (SIPRoutingRequest, SIPURI, EdgeGateway?) -> SIPRoutingDecision
    /// The registrar's look-up, bound to the edge's clock (the registrar itself lives in the edge core).
    var lookup: (AddressOfRecord) -> LocationLookupResult
    /// Bindings whose Contact URI is this text (a backend that targets a contact, not an AOR).
    var bindingsByContact: (String) -> [RegistrarBinding]
    /// Whether the registrar answers REGISTERs for this To host itself (local mode).
    var registersLocally: (String) -> Bool = { _ in false }

    /// REGISTERs from clients for a locally served domain are answered without a transaction (the
    /// registrar re-answers a retransmission from its CSeq rule), as Kamailio's `save()` does.
    func answersStatelessly(_ request: SIPMessage, source: SIPPeer) -> Bool {
        guard request.method == .register, let host = (try? request.to)?.uri.host?.address else { return false }
        return registersLocally(host) && !isFarm(source)
    }

    mutating func route(_ request: SIPRoutingRequest) -> SIPRoutingDecision {
        let uri = try? request.message.requestURI
        if request.method == .options, !request.isInDialog, request.isAddressedToUs || uri?.user == nil {
            return .respond(status: 200, reason: "OK", headers: [SIPHeaderLine("Accept", "application/sdp")])
        }
        let direction = EdgeRequestDirection.classify(request.source, isFarm: isFarm, gateways: gateways)
        if direction == .fromBackend {
            return routeFromBackend(request, uri: uri)
        }
        if request.method == .register { return .local }
        if request.isInDialog, let uri { return .forward([SIPTarget(uri: uri)], .sequential) }
        guard let uri else { return .respond(status: 416, reason: "Unsupported URI Scheme") }
        if case .inboundDID(let gateway) = direction { return dispatch(request, uri, gateway) }
        return dispatch(request, uri, nil)
    }

    func routeFromBackend(_ request: SIPRoutingRequest, uri: SIPURI?) -> SIPRoutingDecision {
        guard let uri else { return .respond(status: 416, reason: "Unsupported URI Scheme") }
        if request.isInDialog { return .forward([SIPTarget(uri: uri)], .sequential) }
        let bindings: [RegistrarBinding]
        switch AddressOfRecord(uri: uri).map(lookup) {
        case .found(let found):
            bindings = found
        case .allExpired:
            return .respond(status: 480, reason: "Temporarily Unavailable")
        case .notFound, nil:
            let byContact = bindingsByContact(RegistrarBindingKey.canonicalContact(uri))
            guard !byContact.isEmpty else {
                guard let target = outboundTarget(uri, addressedToUs: request.isAddressedToUs) else {
                    return .respond(status: 404, reason: "Not Found")
                }
                return .forward([target], .sequential)
            }
            bindings = byContact
        }
        let targets = bindings.compactMap { Self.target(for: $0) }
        guard !targets.isEmpty else { return .respond(status: 480, reason: "Temporarily Unavailable") }
        return .forward(targets, .parallel)
    }

    /// Where a farm request that is no registered phone goes: a gateway its Request-URI names; the
    /// `outbound` gateway when it is addressed to the edge; its own host when that is an IP literal
    /// (not the edge). Host names are not resolved yet (no DNS), so those stay 404.
    func outboundTarget(_ uri: SIPURI, addressedToUs: Bool) -> SIPTarget? {
        if let gateway = gateways.first(where: { $0.isNamed(by: uri) }) {
            return SIPTarget(uri: uri, nextHop: gateway.peer)
        }
        if addressedToUs {
            return gateways.first(where: \.outbound).map { SIPTarget(uri: uri, nextHop: $0.peer) }
        }
        guard let host = uri.host, host.kind != .domain else { return nil }
        return SIPTarget(uri: uri)
    }

    /// A binding as a fork target: the registered Contact as Request-URI, sent to where the
    /// REGISTER came from (always: at the edge the received source is what reaches the phone, NATed
    /// or not; for a public phone it equals the Contact anyway) from the socket it came in on.
    static func target(for binding: RegistrarBinding) -> SIPTarget? {
        guard let uri = try? SIPURI(binding.key.contactURI) else { return nil }
        let transport = SIPPeerTransport(token: binding.source.transport.rawValue) ?? .udp
        return SIPTarget(uri: uri, nextHop: SIPPeer(host: binding.source.host, port: binding.source.port, transport: transport),
                         local: binding.socket, q: Double(binding.q) / 1000)
    }
}
