extension SessionTable {
    /// ng `delete`. Returns the call's state just before the delete (the reply's statistics) and the outcome.
    ///
    /// What is deleted (after rtpengine's `call_delete_branch`):
    /// - no `fromTag`: the whole call;
    /// - otherwise the dialogue of the monologue named by `toTag` (or by `viaBranch` when no To-tag is given, or by
    ///   `fromTag` when neither is), i.e. that monologue and its peer, since in this model a monologue talks to one
    ///   peer and a peer left without a partner needs no media. If `toTag` is unknown but `fromTag`'s peer has no
    ///   tag yet (deleted right after an unanswered offer), that dialogue goes;
    /// - when no dialogue is left, the call goes.
    ///
    /// `deleteDelay` (seconds; nil = the configured `delete-delay`, 0 = now) keeps the call or branch fully alive —
    /// queryable, ports reserved, media still relayed — until a tick passes the delay. Throws
    /// `callNotFoundOrTagsMismatch` when nothing matches (the Control layer turns it into a warning unless `fatal`).
    public mutating func delete(
        callID: String,
        fromTag: String? = nil,
        toTag: String? = nil,
        viaBranch: String? = nil,
        deleteDelay: Int64? = nil,
        at now: SessionTime
    ) throws -> (snapshot: CallSnapshot, outcome: SessionOutcome) {
        guard var call = calls[callID] else { throw SessionError.callNotFoundOrTagsMismatch }
        let snapshot = snapshot(of: call)
        let delay = max(0, deleteDelay ?? configuration.deleteDelay)

        guard let fromTag, !fromTag.isEmpty else {
            if delay > 0 {
                call.deleteAt = now.adding(seconds: delay)
                calls[callID] = call
            deadlines.schedule(callID, at: nextDeadline(of: call))
                return (snapshot, SessionOutcome())
            }
            return (snapshot, destroy(callID: callID, reason: .deleted))
        }

        let target = try branchToDelete(in: call, fromTag: fromTag, toTag: toTag, viaBranch: viaBranch)
        if delay > 0 {
            let when = now.adding(seconds: delay)
            for id in target { call.monologues[id]?.deleteAt = when }
            calls[callID] = call
            deadlines.schedule(callID, at: nextDeadline(of: call))
            return (snapshot, SessionOutcome())
        }
        return (snapshot, removeBranch(callID: callID, monologues: target, reason: .deleted))
    }

    private func branchToDelete(in call: Call, fromTag: String, toTag: String?, viaBranch: String?) throws -> [UInt32] {
        let toTag = toTag.flatMap { $0.isEmpty ? nil : $0 }
        var found: UInt32?
        if toTag == nil, let viaBranch, !viaBranch.isEmpty { found = call.monologueID(forViaBranch: viaBranch) }
        if found == nil { found = call.monologueID(forTag: toTag ?? fromTag) }
        if found == nil, let viaBranch, !viaBranch.isEmpty { found = call.monologueID(forViaBranch: viaBranch) }
        if found == nil, toTag != nil, let offerer = call.monologueID(forTag: fromTag),
           let peer = call.monologues[offerer]?.peer, call.monologues[peer]?.tag == nil {
            found = offerer
        }
        guard let found, let monologue = call.monologues[found] else { throw SessionError.callNotFoundOrTagsMismatch }
        return [found] + (monologue.peer.map { [$0] } ?? [])
    }

    /// Removes a whole call now: every rule and socket goes, the reason is counted.
    mutating func destroy(callID: String, reason: CallEndReason) -> SessionOutcome {
        guard let call = calls[callID] else { return SessionOutcome() }
        totals.ended[reason, default: 0] += 1
        let actions = commit(callID: callID, old: call, new: nil)
        return SessionOutcome(actions: actions, events: [.callEnded(callID: callID, reason: reason)])
    }

    /// Removes some monologues now; the call goes too when no dialogue is left.
    mutating func removeBranch(callID: String, monologues ids: [UInt32], reason: CallEndReason) -> SessionOutcome {
        guard let old = calls[callID] else { return SessionOutcome() }
        var call = old
        let tags = ids.sorted().compactMap { call.monologues[$0]?.tag }
        for id in ids { call.monologues[id] = nil }
        for id in Array(call.monologues.keys) {
            if let peer = call.monologues[id]?.peer, call.monologues[peer] == nil { call.monologues[id]?.peer = nil }
        }
        guard call.monologues.values.contains(where: { $0.peer != nil }) else {
            // No dialogue left: the whole call goes (from its old state, so every socket and rule is undone).
            return destroy(callID: callID, reason: reason)
        }
        let actions = commit(callID: callID, old: old, new: call)
        return SessionOutcome(actions: actions, events: [.branchEnded(callID: callID, tags: tags, reason: reason)])
    }
}
