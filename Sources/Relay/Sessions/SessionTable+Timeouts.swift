extension SessionTable {
    /// Clock tick: runs pending deletes and timeouts. The driver calls it about once a second.
    ///
    /// Per call, in this order:
    /// 1. `final-timeout` (when non-zero): the call ends `finalTimeout` seconds after creation, whatever happens.
    /// 2. A whole-call delete whose delay has passed ends the call (`regular`).
    /// 3. Branch deletes whose delay has passed remove their dialogue (and the call if none is left).
    /// 4. Media timeouts, after rtpengine's `call_timer_iterator` plus one-sided silence (see
    ///    `mediaTimeout(of:now:)`): each stream's last activity is its last packet or the call's last signalling,
    ///    whichever is later. A stream on a side that has not answered yet is judged by `offer-timeout`, one on a
    ///    side whose SDP says it does not send (recvonly/inactive/`0.0.0.0` hold) by `silent-timeout`, every other
    ///    by `timeout`; the call ends when none of the `timeout`/`offer-timeout` streams is fresh (no media). An
    ///    answered call also ends, with `silent-timeout`, when one side has been quiet that long while the other
    ///    still sends. The reason counted is `offer-timeout` for unanswered calls, `timeout` or `silent-timeout`
    ///    otherwise.
    ///
    /// Only calls whose deadline (`nextDeadline(of:)`) has passed are looked at, in Call-ID order as the full scan
    /// did; a call found alive (packets came in since its deadline was set) gets its next deadline. So a tick costs
    /// O(due calls · log calls), not O(calls).
    ///
    /// The table learns about packets only when told (`applyReport`): nothing pushes every stream's counters each
    /// second. The driver first pulls the reports of `streamsDueForRefresh(now:)` — the streams of exactly the
    /// calls this tick will look at — and then ticks, so a call whose media kept flowing is found alive and moved
    /// to `last packet + timeout`, and a quiet one ends on time.
    public mutating func tick(now: SessionTime) -> SessionOutcome {
        var outcome = SessionOutcome()
        for callID in deadlines.takeDue(now: now) {
            guard let call = calls[callID] else { continue }
            let step: SessionOutcome
            if configuration.finalTimeout > 0, now >= call.created.adding(seconds: configuration.finalTimeout) {
                step = destroy(callID: callID, reason: .finalTimeout)
            } else if let deleteAt = call.deleteAt, now >= deleteAt {
                step = destroy(callID: callID, reason: .deleted)
            } else if let due = dueBranch(of: call, now: now) {
                step = removeBranch(callID: callID, monologues: due, reason: .deleted)
            } else if let reason = mediaTimeout(of: call, now: now) {
                step = destroy(callID: callID, reason: reason)
            } else {
                // A deadline already passed means a rule that a packet could trigger at any moment (both sides
                // silent longer than `silent-timeout`, not yet `timeout`: the first side to send again ends the
                // call); such a call is looked at on every tick until `timeout` decides.
                deadlines.schedule(callID, at: max(nextDeadline(of: call), now.adding(seconds: 1)))
                continue
            }
            outcome.actions += step.actions
            outcome.events += step.events
        }
        return outcome
    }

    /// The streams of every call whose deadline has passed, i.e. of the calls the next `tick(now:)` will judge:
    /// the driver pulls these streams' data plane reports (counters, last packet, learned source) and applies them
    /// before ticking. O(due calls + their streams); stays sans-I/O: the table names the streams, the driver reads
    /// the data plane.
    public func streamsDueForRefresh(now: SessionTime) -> [MediaStreamID] {
        var streams: [MediaStreamID] = []
        for callID in deadlines.peekDue(now: now) {
            forEachStream(ofCall: callID) { streams.append($0) }
        }
        return streams
    }

    /// Heap entries the last tick looked at (tests: a tick with nothing due touches nothing).
    var lastTickVisited: Int { deadlines.lastVisited }

    /// The earliest time at which `tick` could act on `call` as it is now: the minimum of its final timeout, its
    /// delete delays and the earliest moment its media timeout could fire. Mirrors `mediaTimeout(of:now:)`; newer
    /// packets only push each rule's moment later (one-sided silence included: its earliest moment is the first
    /// side's silent expiry, which packets only delay), and every other change to the call goes through `commit`
    /// or `delete`, which recompute this.
    func nextDeadline(of call: Call) -> SessionTime {
        var deadline = SessionTime(microseconds: .max)
        if configuration.finalTimeout > 0 {
            deadline = min(deadline, call.created.adding(seconds: configuration.finalTimeout))
        }
        if let deleteAt = call.deleteAt { deadline = min(deadline, deleteAt) }
        for monologue in call.monologues.values {
            if let deleteAt = monologue.deleteAt { deadline = min(deadline, deleteAt) }
        }
        return min(deadline, mediaDeadline(of: call))
    }

    /// The first `now` at which `mediaTimeout(of:now:)` returns a reason, if nothing changes meanwhile. Every rule
    /// is "now at or past an expiry" (a stream stays fresh while `now - lastActivity < limit`, i.e. until
    /// `lastActivity + limit`), so the deadline is the earliest expiry of a rule that can fire.
    private func mediaDeadline(of call: Call) -> SessionTime {
        let activity = CallMediaActivity(of: call, configuration: configuration)
        if activity.sawActive || activity.sawOffer {
            return activity.sawOffer ? activity.activeExpiry : min(activity.activeExpiry, activity.earliestSideExpiry)
        }
        return min(activity.earliestSideExpiry, activity.allSilentExpiry)
    }

    /// All monologues whose branch delete is due, if any.
    private func dueBranch(of call: Call, now: SessionTime) -> [UInt32]? {
        let due = call.monologues.values.filter { $0.deleteAt.map { now >= $0 } ?? false }.map(\.id).sorted()
        return due.isEmpty ? nil : due
    }

    /// The reason the call timed out, or nil while it is alive. Checked in this order:
    /// 1. A call with streams that should carry media (`timeout`) or an unanswered side (`offer-timeout`) ends when
    ///    all of those have been quiet that long (`timeout`/`offer-timeout`): no media at all.
    /// 2. An answered call in which one side has sent nothing for `silent-timeout` while another side still sends
    ///    (was active within `silent-timeout`) ends with `silent-timeout`. A side's activity is the latest of its
    ///    streams (RTP or RTCP, any media section), so a muted video next to flowing audio is not silence. Sides
    ///    whose SDP says they do not send (hold, recvonly, inactive, 0.0.0.0) count the same way: rtpengine applies
    ///    `silent-timeout` to such streams, and issue 3 asks it of any one-sided silence.
    /// 3. A call in which no stream should carry media ends when every stream was quiet for `silent-timeout`.
    private func mediaTimeout(of call: Call, now: SessionTime) -> CallEndReason? {
        let activity = CallMediaActivity(of: call, configuration: configuration)
        if activity.sawActive || activity.sawOffer {
            if now >= activity.activeExpiry { return activity.sawOffer ? .offerTimeout : .timeout }
            if activity.sawOffer { return nil }
            return activity.oneSideSilent(now: now) ? .silentTimeout : nil
        }
        if activity.oneSideSilent(now: now) || now >= activity.allSilentExpiry { return .silentTimeout }
        return nil
    }
}
