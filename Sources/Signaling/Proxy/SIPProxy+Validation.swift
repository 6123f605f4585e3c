/// Request validation (RFC 3261 §16.3) and the responses the proxy generates itself.
extension SIPProxy {
    /// What §16.3 found wrong, as the response to send (nil: go on). Max-Forwards 0 on an OPTIONS
    /// addressed to us is answered 200 here (§16.3 item 3: the proxy may respond to it itself).
    /// `decoded`: what validation already read from this request (its Vias may predate `received`,
    /// which the loop check does not look at).
    func validationFailure(_ request: SIPMessage, decoded: SIPProxyDecodedRequest? = nil)
        -> (status: Int, reason: String, headers: [SIPHeaderLine])?
    {
        // Item 2: the Request-URI scheme.
        guard let uri = decoded?.requestURI ?? (try? request.requestURI) else { return (400, "Bad Request", []) }
        switch uri.scheme {
        case .sip, .sips: break
        case .tel where configuration.acceptsTelURIs: break
        default: return (416, "Unsupported URI Scheme", [])
        }
        // Item 3: Max-Forwards.
        let maxForwards: Int?
        do { maxForwards = try request.maxForwards } catch { return (400, "Bad Request", []) }
        if maxForwards == 0 {
            if request.method == .options && isOurs(uri, includingDomains: true) {
                return (200, "OK", [SIPHeaderLine("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, INFO, UPDATE, PRACK, SUBSCRIBE, NOTIFY, REFER, MESSAGE")])
            }
            return (483, "Too Many Hops", [])
        }
        // Item 4: loops (our own Via with the same loop hash).
        if configuration.detectsLoops, isLooping(request, vias: decoded?.vias) { return (482, "Loop Detected", []) }
        // Item 5: Proxy-Require.
        let unsupported = request.values(.proxyRequire).filter { !configuration.supportedProxyExtensions.contains($0) }
        if !unsupported.isEmpty {
            return (420, "Bad Extension", [SIPHeaderLine("Unsupported", unsupported.joined(separator: ", "))])
        }
        return nil
    }

    /// §16.3 item 4: a Via with our sent-by whose branch carries the loop hash this request has now.
    func isLooping(_ request: SIPMessage, vias decoded: [SIPVia]? = nil) -> Bool {
        guard let vias = decoded ?? (try? request.via) else { return false }
        var loop: String?
        for via in vias {
            guard let branch = via.branch, let part = SIPBranchHash.loopPart(of: branch), isOurSentBy(via) else { continue }
            if loop == nil { loop = SIPBranchHash.loopHash(request) }
            if part == loop?[...] { return true }
        }
        return false
    }

    func isOurSentBy(_ via: SIPVia) -> Bool {
        let host = via.host.address.lowercased()
        let transport = SIPPeerTransport(token: via.transport)
        return configuration.listeners.contains {
            $0.host.lowercased() == host && $0.port == (via.port ?? transport?.defaultPort ?? 5060)
        }
    }

    // MARK: Responses the proxy writes

    /// A To tag for responses the proxy generates: stable per request, so a retransmitted request
    /// answered again (statelessly) gets the same tag.
    func toTag(for request: SIPMessage) -> String {
        var h = SIPBranchHash.FNV()
        h.add((try? request.callID) ?? "")
        h.add((try? request.topVia?.branch ?? "") ?? "")
        h.add(String(configuration.instanceSeed))
        return String(SIPBranchHash.hex(h.value).prefix(12))
    }

    func buildResponse(to request: SIPMessage, status: Int, reason: String, headers: [SIPHeaderLine]) -> SIPMessage? {
        var extra = headers.map(\.tuple)
        if let server = configuration.serverHeader { extra.append(("Server", server)) }
        return try? SIPMessage.response(to: request, status: status, reason: reason,
                                        toTag: status == 100 ? nil : toTag(for: request), extraHeaders: extra)
    }

    /// A response sent without a transaction (400 for garbage, 503 on overload).
    mutating func statelessResponse(to request: SIPMessage, status: Int, reason: String, source: SIPPeer,
                                    local: LocalSocketRef, headers: [SIPHeaderLine] = []) -> [SIPProxyAction]
    {
        guard let response = buildResponse(to: request, status: status, reason: reason, headers: headers) else {
            counters.drop(.internalError)
            return []
        }
        let topVia = try? request.topVia
        var destination = SIPResponseAddressing.destination(topVia: topVia, source: source)
        // These answers leave before `fillReceived` ran (§18.2.1): a sent-by host other than the packet source counts
        // as `received` = the source, so a hostile Via cannot aim the 400/503 at a third party or a broadcast address.
        if let topVia, topVia.received == nil, !source.transport.isReliable,
           topVia.host.address.lowercased() != source.host.lowercased()
        {
            destination.host = source.host
        }
        return [.send(response, to: destination, local: local)]
    }

    /// The 400 (or 505) for a request too broken to be indexed or decoded (`SIPRawErrorResponse`): sent to the
    /// packet's source, the only address known to be real. Nil when even that cannot be built.
    mutating func rawErrorResponse(_ bytes: [UInt8], source: SIPPeer, local: LocalSocketRef) -> [SIPProxyAction]? {
        guard let raw = SIPRawErrorResponse.build(bytes), let response = try? SIPMessage.parse(raw) else { return nil }
        counters.badRequestReplies += 1
        return [.send(response, to: source, local: local)]
    }

    mutating func statelessBadRequest(_ request: SIPMessage, source: SIPPeer, local: LocalSocketRef,
                                      reason: String) -> [SIPProxyAction]
    {
        counters.badRequestReplies += 1
        return statelessResponse(to: request, status: 400, reason: reason, source: source, local: local)
    }

    /// Answers server transaction `server` with a response the proxy builds (§8.2.6 copy rules).
    public mutating func respond(to server: SIPTransactionID, status: Int, reason: String,
                                 headers: [SIPHeaderLine] = [], now: SIPInstant) -> [SIPProxyAction]
    {
        guard let request = transactions.request(of: server),
              let response = buildResponse(to: request, status: status, reason: reason, headers: headers)
        else { return [] }
        return sendResponse(response, on: server, now: now)
    }

    /// Sends a response the application built (e.g. the registrar's 200 with Contacts) on `server`.
    public mutating func sendResponse(_ response: SIPMessage, on server: SIPTransactionID,
                                      now: SIPInstant) -> [SIPProxyAction]
    {
        if let status = response.statusCode, status >= 200, let method = transactions.request(of: server)?.method,
           transactions.serverState(server) == .proceeding || transactions.serverState(server) == .trying
        {
            counters.finalResponses[SIPTransactionOutcome(method: method, statusClass: status / 100), default: 0] += 1
        }
        return handle(transactions.sendResponse(response, on: server, now: now), now: now)
    }
}
