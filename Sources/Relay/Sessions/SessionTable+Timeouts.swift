extension SessionTable {
    /// Clock tick: runs pending deletes and timeouts. The driver calls it about once a second.
    ///
    /// Per call, in this order:
    /// 1. `final-timeout` (when non-zero): the call ends `finalTimeout` seconds after creation, whatever happens.
    /// 2. A whole-call delete whose delay has passed ends the call (`regular`).
    /// 3. Branch deletes whose delay has passed remove their dialogue (and the call if none is left).
    /// 4. Media timeouts, following rtpengine's `call_timer_iterator`: each stream's last activity is its last
    ///    packet or the call's last signalling, whichever is later. A stream on a side that has not answered yet is
    ///    judged by `offer-timeout`; a stream on a side whose SDP says it does not send (recvonly/inactive) or that
    ///    holds with `0.0.0.0` by `silent-timeout`; every other stream by `timeout`. If any stream is under
    ///    `timeout`/`offer-timeout`, the call lives while at least one of those is fresh — silent streams then do
    ///    not keep it alive. Only when every stream is silent-type does `silent-timeout` decide. The reason counted
    ///    is `offer-timeout` for unanswered calls, `timeout` or `silent-timeout` otherwise.
    public mutating func tick(now: SessionTime) -> SessionOutcome {
        var outcome = SessionOutcome()
        for callID in calls.keys.sorted() {
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
                continue
            }
            outcome.actions += step.actions
            outcome.events += step.events
        }
        return outcome
    }

    /// All monologues whose branch delete is due, if any.
    private func dueBranch(of call: Call, now: SessionTime) -> [UInt32]? {
        let due = call.monologues.values.filter { $0.deleteAt.map { now >= $0 } ?? false }.map(\.id).sorted()
        return due.isEmpty ? nil : due
    }

    private enum TimeoutClass { case active, offer, silent }

    /// The reason the call timed out, or nil while it is alive.
    private func mediaTimeout(of call: Call, now: SessionTime) -> CallEndReason? {
        var sawActive = false
        var sawOffer = false
        var activeFresh = false
        var silentFresh = false
        for monologue in call.monologues.values {
            for media in monologue.medias {
                let timeoutClass: TimeoutClass
                if let advertised = media.advertised {
                    timeoutClass = media.direction.sends && !advertised.address.isUnspecified ? .active : .silent
                } else {
                    timeoutClass = .offer
                }
                for stream in media.streams {
                    let lastActivity = max(stream.lastPacket ?? call.lastSignal, call.lastSignal)
                    let quiet = now.microseconds(since: lastActivity)
                    switch timeoutClass {
                    case .active:
                        sawActive = true
                        if quiet < SessionTime.saturatingMicroseconds(configuration.timeout) { activeFresh = true }
                    case .offer:
                        sawOffer = true
                        if quiet < SessionTime.saturatingMicroseconds(configuration.offerTimeout) { activeFresh = true }
                    case .silent:
                        if quiet < SessionTime.saturatingMicroseconds(configuration.silentTimeout) { silentFresh = true }
                    }
                }
            }
        }
        if sawActive || sawOffer {
            if activeFresh { return nil }
            return sawOffer ? .offerTimeout : .timeout
        }
        if silentFresh { return nil }
        // A call with no streams at all (every section rejected) is judged by its signalling like a silent one.
        if !call.monologues.values.contains(where: { $0.medias.contains(where: \.isActive) }),
           now.microseconds(since: call.lastSignal) < SessionTime.saturatingMicroseconds(configuration.silentTimeout) {
            return nil
        }
        return .silentTimeout
    }
}
