/// Response processing (RFC 3261 §16.7) and branch failures (timeouts §16.8, transport errors §16.9).
extension SIPProxy {
    mutating func handleResponse(_ response: SIPMessage, client: SIPTransactionID, now: SIPInstant) -> [SIPProxyAction] {
        switch owners[client] {
        case .originated(let origin):
            return [.originatedResponse(response, client: client, origin: origin)]
        case .cancel:
            return []  // the 200/481 to our CANCEL ends there (hop by hop)
        case .branch(let server):
            guard contexts[server] != nil else { return forwardStatelessResponse(response) }
            var relayed = response
            relayed.popVia()
            guard (try? relayed.topVia) != nil else {
                counters.drop(.responseWithoutVia)
                return []
            }
            return branchResponse(relayed, server: server, client: client, now: now)
        case nil:
            return forwardStatelessResponse(response)
        }
    }

    /// A response (our Via removed) for branch `client` of the context of `server`.
    mutating func branchResponse(_ response: SIPMessage, server: SIPTransactionID, client: SIPTransactionID,
                                 now: SIPInstant) -> [SIPProxyAction]
    {
        guard var context = contexts[server], let index = context.branchIndex(client),
              let status = response.statusCode
        else { return [] }
        var actions: [SIPProxyAction] = []
        if status < 200 {
            context.branches[index].receivedProvisional = true
            contexts[server] = context
            if context.branches[index].cancelWanted && !context.branches[index].cancelSent {
                actions += sendCancel(server: server, branch: index, now: now)
            }
            // §16.7 step 5: provisionals other than 100 go upstream at once (not once cancelled:
            // the caller has given up and is waiting for the 487).
            if status > 100 && !context.finalSent && !context.cancelled {
                counters.forwardedResponses += 1
                actions += sendResponse(response, on: server, now: now)
            }
            return actions
        }
        if status < 300 {
            // Every 2xx goes upstream at once (all of them for a forked INVITE).
            context.branches[index].finished = true
            let firstFinal = !context.finalSent
            guard firstFinal || context.method == .invite else {
                counters.drop(.lateResponse)
                contexts[server] = context
                return []
            }
            context.finalSent = true
            context.pendingGroups = []
            contexts[server] = context
            counters.forwardedResponses += 1
            if transactions.serverState(server) == .completed || transactions.serverState(server) == .confirmed,
               let route = transactions.responseRoute(of: server)
            {
                // A non-2xx went up already; a 2xx to INVITE must still reach the caller (§16.7 step 5).
                actions.append(.send(response, to: route.peer, local: route.local))
            } else {
                actions += sendResponse(response, on: server, now: now)
            }
            if firstFinal { actions += cancelPendingBranches(server, now: now) }  // §16.7 step 10
            return actions
        }
        if context.branches[index].finished {
            counters.drop(.lateResponse)
            return []
        }
        context.branches[index].finished = true
        context.finals.append(response)
        contexts[server] = context
        if status >= 600 && context.method == .invite {
            // §16.7 step 5: a 6xx ends the search; cancel everybody else, answer when they are done.
            contexts[server]?.pendingGroups = []
            actions += cancelPendingBranches(server, now: now)
        }
        return actions + finishIfDone(server, now: now)
    }

    /// When no branch is pending: try the next group if the last group failed over, else send the
    /// best response (487 after a CANCEL). Nothing once a final went up.
    mutating func finishIfDone(_ server: SIPTransactionID, now: SIPInstant) -> [SIPProxyAction] {
        guard let context = contexts[server], !context.finalSent, !context.hasPendingBranches else { return [] }
        if context.cancelled {
            contexts[server]?.finalSent = true
            return respond(to: server, status: 487, reason: "Request Terminated", now: now)
        }
        if !context.pendingGroups.isEmpty {
            let groupFinals = Array(context.finals[min(context.groupStart, context.finals.count)...])
            let best = SIPBestResponse.choose(groupFinals).flatMap { groupFinals[$0].statusCode }
            if best.map({ configuration.failover.statuses.contains($0) }) ?? true {
                return startNextGroup(server, now: now)
            }
        }
        contexts[server]?.finalSent = true
        guard let final = SIPBestResponse.finalResponse(context.finals) else {
            return respond(to: server, status: 408, reason: "Request Timeout", now: now)
        }
        counters.forwardedResponses += 1
        return sendResponse(final, on: server, now: now)
    }

    /// A branch ended without a response: timeout (408, §16.7 "as if 408") or transport error
    /// (503, §16.9). Own requests report the failure to their originator.
    mutating func clientFailed(_ client: SIPTransactionID, status: Int, timer: SIPTimerName?, now: SIPInstant)
        -> [SIPProxyAction]
    {
        switch owners[client] {
        case .originated(let origin):
            if timer != nil, let method = transactions.request(of: client)?.method { counters.clientTimeouts[method, default: 0] += 1 }
            return [.originatedFailure(client: client, origin: origin, timer: timer)]
        case .branch(let server):
            if timer != nil, let method = contexts[server]?.method { counters.clientTimeouts[method, default: 0] += 1 }
            return synthesizeBranchFinal(server: server, client: client, status: status, now: now)
        case .cancel, nil:
            return []
        }
    }

    /// Timer C (§16.8): CANCEL a branch that has a provisional, else act as if it got a 408.
    mutating func timerCFired(_ client: SIPTransactionID, now: SIPInstant) -> [SIPProxyAction] {
        guard case .branch(let server) = owners[client], let context = contexts[server],
              let index = context.branchIndex(client)
        else { return [] }
        if context.branches[index].receivedProvisional {
            return sendCancel(server: server, branch: index, now: now)
        }
        return synthesizeBranchFinal(server: server, client: client, status: 408, now: now)
    }

    mutating func synthesizeBranchFinal(server: SIPTransactionID, client: SIPTransactionID, status: Int,
                                        now: SIPInstant) -> [SIPProxyAction]
    {
        guard let context = contexts[server], let index = context.branchIndex(client),
              !context.branches[index].finished
        else { return [] }
        let reason = status == 408 ? "Request Timeout" : "Service Unavailable"
        guard var response = try? SIPMessage.response(to: context.branches[index].request, status: status, reason: reason,
                                                      toTag: toTag(for: context.branches[index].request))
        else { return [] }
        response.popVia()
        return branchResponse(response, server: server, client: client, now: now)
    }
}
