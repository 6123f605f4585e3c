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
                deadlines.schedule(callID, at: nextDeadline(of: call))
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
    /// delete delays and the moment its media timeout would fire if no packet and no signalling came in. Mirrors
    /// `mediaTimeout(of:now:)` exactly; newer packets only push the real moment later, and every other change to
    /// the call goes through `commit` or `delete`, which recompute this.
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

    /// The first `now` at which `mediaTimeout(of:now:)` returns a reason, if nothing changes meanwhile: a stream
    /// stays fresh while `now - lastActivity < limit`, i.e. until `lastActivity + limit`; the call lives while any
    /// deciding stream is fresh, so it ends at the latest of their expiries.
    private func mediaDeadline(of call: Call) -> SessionTime {
        var sawActive = false
        var activeExpiry = SessionTime(microseconds: .min)
        var silentExpiry = SessionTime(microseconds: .min)
        for monologue in call.monologues.values {
            for media in monologue.medias {
                let timeoutClass = TimeoutClass(of: media)
                for stream in media.streams {
                    let lastActivity = max(stream.lastPacket ?? call.lastSignal, call.lastSignal)
                    switch timeoutClass {
                    case .active:
                        sawActive = true
                        activeExpiry = max(activeExpiry, SessionTable.expiry(lastActivity, configuration.timeout))
                    case .offer:
                        sawActive = true
                        activeExpiry = max(activeExpiry, SessionTable.expiry(lastActivity, configuration.offerTimeout))
                    case .silent:
                        silentExpiry = max(silentExpiry, SessionTable.expiry(lastActivity, configuration.silentTimeout))
                    }
                }
            }
        }
        if sawActive { return activeExpiry }
        if !call.monologues.values.contains(where: { $0.medias.contains(where: \.isActive) }) {
            silentExpiry = max(silentExpiry, SessionTable.expiry(call.lastSignal, configuration.silentTimeout))
        }
        return silentExpiry
    }

    /// `lastActivity + seconds`, the first instant at which `now.microseconds(since: lastActivity)` is no longer
    /// below the limit (saturating like the comparison it mirrors).
    private static func expiry(_ lastActivity: SessionTime, _ seconds: Int64) -> SessionTime {
        let limit = SessionTime.saturatingMicroseconds(seconds)
        let (sum, overflow) = lastActivity.microseconds.addingReportingOverflow(limit)
        if overflow { return SessionTime(microseconds: limit < 0 ? .min : .max) }
        return SessionTime(microseconds: sum)
    }

    /// All monologues whose branch delete is due, if any.
    private func dueBranch(of call: Call, now: SessionTime) -> [UInt32]? {
        let due = call.monologues.values.filter { $0.deleteAt.map { now >= $0 } ?? false }.map(\.id).sorted()
        return due.isEmpty ? nil : due
    }

    /// Which timeout applies to a media section: one rule for both the deadline and the check, so they agree.
    private enum TimeoutClass {
        case active, offer, silent

        init(of media: MediaSection) {
            if let advertised = media.advertised {
                self = media.direction.sends && !advertised.address.isUnspecified ? .active : .silent
            } else {
                self = .offer
            }
        }
    }

    /// The reason the call timed out, or nil while it is alive.
    private func mediaTimeout(of call: Call, now: SessionTime) -> CallEndReason? {
        var sawActive = false
        var sawOffer = false
        var activeFresh = false
        var silentFresh = false
        for monologue in call.monologues.values {
            for media in monologue.medias {
                let timeoutClass = TimeoutClass(of: media)
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
