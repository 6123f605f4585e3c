/// Request processing and forwarding (RFC 3261 §16.3–§16.6).
extension SIPProxy {
    /// Methods whose initial requests get Record-Route (they may create dialogs).
    static let dialogCreatingMethods: Set<SIPMethod> = [.invite, .subscribe, .refer, .notify]

    mutating func handleRequest(_ received: SIPMessage, server: SIPTransactionID, source: SIPPeer,
                                local: LocalSocketRef, now: SIPInstant) -> [SIPProxyAction]
    {
        if let failure = validationFailure(received) {
            return respond(to: server, status: failure.status, reason: failure.reason, headers: failure.headers, now: now)
        }
        if received.method == .cancel { return handleCancel(received, server: server, now: now) }
        var request = received
        preprocessRoutes(&request)
        guard decrementMaxForwards(&request) else { return respond(to: server, status: 500, reason: "Server Internal Error", now: now) }
        guard let uri = try? request.requestURI else { return respond(to: server, status: 400, reason: "Bad Request", now: now) }
        // Requests that still carry a Route are routed by it (in-dialog, pre-loaded routes).
        if (try? request.routes)?.isEmpty == false {
            return forward(request, received: received, server: server, inbound: local,
                           groups: [[SIPTarget(uri: uri)]], now: now)
        }
        let method = request.method ?? .other("")
        let decision = router.route(SIPRoutingRequest(
            message: request, method: method, source: source, local: local,
            isAddressedToUs: isOurs(uri, includingDomains: true),
            isInDialog: (try? request.to.tag) != nil, serverTransaction: server))
        switch decision {
        case .respond(let status, let reason, let headers):
            return respond(to: server, status: status, reason: reason, headers: headers, now: now)
        case .local:
            localRequests[server] = (request, received)
            return [.deliverLocal(request, server: server, source: source, local: local)]
        case .forward(let targets, let mode):
            return forward(request, received: received, server: server, inbound: local,
                           groups: Self.groups(targets, mode), now: now)
        }
    }

    /// Routes a request the router handed to the application (`.deliverLocal`) after all.
    /// `replacing`: the request to forward instead of the one delivered (e.g. the registrar's
    /// pass-through REGISTER with its Path header added); it must be that request, edited.
    public mutating func forward(_ server: SIPTransactionID, replacing edited: SIPMessage? = nil, to targets: [SIPTarget],
                                 mode: SIPForkMode = .qGroups, now: SIPInstant) -> [SIPProxyAction]
    {
        guard let (delivered, received) = localRequests.removeValue(forKey: server),
              let local = transactions.responseRoute(of: server)?.local
        else { return [] }
        let request = edited ?? delivered
        return forward(request, received: received, server: server, inbound: local,
                       groups: Self.groups(targets, mode), now: now)
    }

    static func groups(_ targets: [SIPTarget], _ mode: SIPForkMode) -> [[SIPTarget]] {
        switch mode {
        case .parallel: return targets.isEmpty ? [] : [targets]
        case .sequential: return targets.map { [$0] }
        case .qGroups:
            var groups: [[SIPTarget]] = []
            // Stable sort by descending q keeps the router's order within a group.
            let sorted = targets.enumerated().sorted { ($0.element.q, -$0.offset) > ($1.element.q, -$1.offset) }.map(\.element)
            for t in sorted {
                if let lastQ = groups.last?.first?.q, lastQ == t.q { groups[groups.count - 1].append(t) } else { groups.append([t]) }
            }
            return groups
        }
    }

    /// §16.3 item 3 / §16.6 item 3: decrement Max-Forwards, or add 70 when absent.
    func decrementMaxForwards(_ request: inout SIPMessage) -> Bool {
        let current = (try? request.maxForwards) ?? nil
        do {
            try request.setMaxForwards(current.map { max(0, $0 - 1) } ?? 70)
            return true
        } catch {
            return false
        }
    }

    /// Creates the response context and starts the first group of targets.
    mutating func forward(_ request: SIPMessage, received: SIPMessage, server: SIPTransactionID, inbound: LocalSocketRef,
                          groups: [[SIPTarget]], now: SIPInstant) -> [SIPProxyAction]
    {
        guard !groups.isEmpty else { return respond(to: server, status: 480, reason: "Temporarily Unavailable", now: now) }
        contexts[server] = SIPResponseContext(server: server, method: request.method ?? .other(""), request: request,
                                              received: received, inbound: inbound, pendingGroups: groups)
        return startNextGroup(server, now: now)
    }

    /// Sends a branch to every target of the next group; finishes the context when none can start.
    mutating func startNextGroup(_ server: SIPTransactionID, now: SIPInstant) -> [SIPProxyAction] {
        guard var context = contexts[server], !context.pendingGroups.isEmpty else { return [] }
        let group = context.pendingGroups.removeFirst()
        context.groupStart = context.finals.count
        var actions: [SIPProxyAction] = []
        for target in group {
            let index = context.nextBranchIndex
            context.nextBranchIndex += 1
            guard let (branchRequest, hop, local) = buildBranch(context.request, received: context.received, target: target,
                                                                inbound: context.inbound, index: index)
            else {
                counters.drop(.internalError)
                continue
            }
            do {
                let (client, events) = try transactions.sendRequest(branchRequest, to: hop, local: local,
                                                                    timerC: context.method == .invite, now: now)
                owners[client] = .branch(server: server)
                context.branches.append(.init(client: client, target: target, request: branchRequest, destination: hop, local: local))
                counters.forwardedRequests += 1
                contexts[server] = context
                actions += handle(events, now: now)
                context = contexts[server] ?? context
            } catch {
                counters.drop(.internalError)
            }
        }
        contexts[server] = context
        if !context.hasPendingBranches { actions += finishIfDone(server, now: now) }
        return actions
    }

    /// One copy of the request for `target` (§16.6 items 1–9): Request-URI, pre-loaded Route,
    /// Record-Route, our Via, Content-Length. Returns the request, its next hop and socket.
    func buildBranch(_ base: SIPMessage, received: SIPMessage, target: SIPTarget, inbound: LocalSocketRef?,
                     index: Int) -> (SIPMessage, SIPPeer, LocalSocketRef?)?
    {
        var request = base
        do {
            if (try? request.requestURI) != target.uri { try request.setRequestURI(target.uri) }
            for route in target.routes.reversed() { try request.pushRoute(route) }
            let hop = nextHop(for: request, target: target)
            guard let out = outboundListener(for: hop, preferred: target.local, inbound: inbound) else { return nil }
            if let method = request.method, Self.dialogCreatingMethods.contains(method), (try? request.to.tag) == nil {
                try addRecordRoute(&request, inbound: inbound.flatMap(listener) ?? out, outbound: out)
            }
            let incomingBranch = (try? received.topVia?.branch ?? "") ?? ""
            let branch = SIPBranchHash.branch(loop: SIPBranchHash.loopHash(received), incomingBranch: incomingBranch,
                                              target: target.uri.description, index: index)
            try request.pushVia(SIPVia(transport: out.transport.viaToken, host: out.sipHost, port: out.port,
                                       parameters: [SIPParameter(name: "branch", value: branch)]))
            if request.contentLength == nil { try request.setHeader(.contentLength, value: String(request.body.count)) }
            return (request, hop, out.socket)
        } catch {
            return nil
        }
    }

    func addRecordRoute(_ request: inout SIPMessage, inbound: SIPProxyListener, outbound: SIPProxyListener) throws(SIPParseError) {
        switch configuration.recordRoute {
        case .off:
            return
        case .single:
            try request.addRecordRoute(SIPNameAddress(uri: inbound.recordRouteURI))
        case .doubleWhenSocketsDiffer:
            try request.addRecordRoute(SIPNameAddress(uri: inbound.recordRouteURI))
            if inbound.socket != outbound.socket {
                try request.addRecordRoute(SIPNameAddress(uri: outbound.recordRouteURI))
            }
        }
    }

    // MARK: Stateless forwarding

    /// An ACK that matched no transaction (the ACK for a 2xx, end to end): forwarded statelessly
    /// along its Route, or where the router says, with a deterministic branch (§16.11 rules).
    mutating func forwardACK(_ received: SIPMessage, source: SIPPeer, local: LocalSocketRef) -> [SIPProxyAction] {
        guard let mf = try? received.maxForwards ?? 70, mf > 0 else {
            counters.drop(.unroutableACK)
            return []
        }
        var request = received
        preprocessRoutes(&request)
        guard decrementMaxForwards(&request), let uri = try? request.requestURI else {
            counters.drop(.unroutableACK)
            return []
        }
        var target = SIPTarget(uri: uri)
        if (try? request.routes)?.isEmpty != false {
            let decision = router.route(SIPRoutingRequest(
                message: request, method: .ack, source: source, local: local,
                isAddressedToUs: isOurs(uri, includingDomains: true), isInDialog: (try? request.to.tag) != nil,
                serverTransaction: nil))
            switch decision {
            case .forward(let targets, _) where !targets.isEmpty:
                target = targets[0]
            case .forward, .respond:
                counters.drop(.unroutableACK)
                return []
            case .local:
                return [.deliverLocal(request, server: nil, source: source, local: local)]
            }
        }
        guard let (ack, hop, out) = buildBranch(request, received: received, target: target, inbound: local, index: 0) else {
            counters.drop(.internalError)
            return []
        }
        counters.forwardedACKs += 1
        return [.send(ack, to: hop, local: out)]
    }

    /// §16.7 without a context: a response whose top Via is ours loses it and goes to the next Via.
    mutating func forwardStatelessResponse(_ response: SIPMessage) -> [SIPProxyAction] {
        guard let top = try? response.topVia, isOurSentBy(top) else {
            counters.drop(.strayResponse)
            return []
        }
        var relayed = response
        relayed.popVia()
        guard let next = try? relayed.topVia else {
            counters.drop(.responseWithoutVia)
            return []
        }
        let destination = SIPResponseAddressing.statelessDestination(topVia: next)
        counters.forwardedResponses += 1
        return [.send(relayed, to: destination, local: outboundListener(for: destination, preferred: nil, inbound: nil)?.socket)]
    }
}
