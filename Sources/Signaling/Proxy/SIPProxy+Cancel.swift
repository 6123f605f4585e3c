/// CANCEL (RFC 3261 §16.10, §9): answered hop by hop, then propagated to the pending branches.
extension SIPProxy {
    /// A CANCEL on its own server transaction `server`: 200 to it when the INVITE is known (481
    /// otherwise: this proxy is always stateful, so an unknown INVITE was never proxied here);
    /// then CANCEL every pending branch and stop starting new ones. The INVITE gets 487 once no
    /// branch is pending (at once when none is).
    mutating func handleCancel(_ cancel: SIPMessage, server: SIPTransactionID, now: SIPInstant) -> [SIPProxyAction] {
        guard let invite = transactions.inviteTransaction(matchingCancel: cancel) else {
            return respond(to: server, status: 481, reason: "Call/Transaction Does Not Exist", now: now)
        }
        var actions = respond(to: server, status: 200, reason: "OK", now: now)
        guard contexts[invite] != nil else {
            // Handed to the application, or not routed yet: end it here.
            localRequests[invite] = nil
            if transactions.serverState(invite) == .proceeding {
                actions += respond(to: invite, status: 487, reason: "Request Terminated", now: now)
            }
            return actions
        }
        contexts[invite]?.cancelled = true
        contexts[invite]?.pendingGroups = []
        actions += cancelPendingBranches(invite, now: now)
        return actions + finishIfDone(invite, now: now)
    }

    /// CANCELs every unfinished branch: at once when it saw a provisional, else when it does (§9.1).
    mutating func cancelPendingBranches(_ server: SIPTransactionID, now: SIPInstant) -> [SIPProxyAction] {
        guard let context = contexts[server], context.method == .invite else { return [] }
        var actions: [SIPProxyAction] = []
        for (index, branch) in context.branches.enumerated() where !branch.finished && !branch.cancelSent {
            if branch.receivedProvisional {
                actions += sendCancel(server: server, branch: index, now: now)
            } else {
                contexts[server]?.branches[index].cancelWanted = true
            }
        }
        return actions
    }

    /// Sends the CANCEL for one branch as a new non-INVITE client transaction to the same hop.
    mutating func sendCancel(server: SIPTransactionID, branch index: Int, now: SIPInstant) -> [SIPProxyAction] {
        guard let branch = contexts[server]?.branches[index], !branch.cancelSent,
              let cancel = try? branch.request.cancelRequest()
        else { return [] }
        contexts[server]?.branches[index].cancelSent = true
        do {
            let (client, events) = try transactions.sendRequest(cancel, to: branch.destination, local: branch.local, now: now)
            owners[client] = .cancel
            return handle(events, now: now)
        } catch {
            counters.drop(.internalError)
            return []
        }
    }
}
