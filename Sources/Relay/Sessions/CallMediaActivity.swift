/// Which timeout applies to a media section: one rule for both the deadline and the check, so they agree.
enum TimeoutClass {
    case active, offer, silent

    init(of media: MediaSection) {
        if let advertised = media.advertised {
            self = media.direction.sends && !advertised.address.isUnspecified ? .active : .silent
        } else {
            self = .offer
        }
    }
}

/// One pass over a call's streams, reduced to the expiries the timeout rules compare `now` with. Both
/// `mediaTimeout(of:now:)` and `mediaDeadline(of:)` read it, so the check and the deadline cannot disagree.
struct CallMediaActivity {
    /// Some stream is judged by `timeout` / by `offer-timeout` (an unanswered side).
    var sawActive = false
    var sawOffer = false
    /// The latest `lastActivity + timeout|offer-timeout` over those streams: the call has no media at or after it.
    var activeExpiry = SessionTime(microseconds: .min)
    /// The latest `lastActivity + silent-timeout` over the silent-class streams (and, without any stream, the last
    /// signalling): rule 3, for calls where no stream should carry media.
    var allSilentExpiry = SessionTime(microseconds: .min)
    /// Over the sides that hold streams: the earliest and the latest of `side's last activity + silent-timeout`.
    /// The earliest is also the first moment rule 2 could fire: before it no side is silent; from it on, the
    /// first packet from another side fires it even when all sides were silent together.
    var earliestSideExpiry = SessionTime(microseconds: .max)
    var latestSideExpiry = SessionTime(microseconds: .min)

    init(of call: Call, configuration: SessionConfiguration) {
        var anyStream = false
        for monologue in call.monologues.values {
            var sideExpiry: SessionTime?
            for media in monologue.medias {
                let timeoutClass = TimeoutClass(of: media)
                media.forEachStream { stream in
                    let lastActivity = max(stream.lastPacket ?? call.lastSignal, call.lastSignal)
                    let silent = CallMediaActivity.expiry(lastActivity, configuration.silentTimeout)
                    sideExpiry = max(sideExpiry ?? silent, silent)
                    switch timeoutClass {
                    case .active:
                        sawActive = true
                        activeExpiry = max(activeExpiry, CallMediaActivity.expiry(lastActivity, configuration.timeout))
                    case .offer:
                        sawOffer = true
                        activeExpiry = max(activeExpiry, CallMediaActivity.expiry(lastActivity, configuration.offerTimeout))
                    case .silent:
                        allSilentExpiry = max(allSilentExpiry, silent)
                    }
                }
            }
            guard let sideExpiry else { continue }
            anyStream = true
            // `silent-timeout: 0` turns one-sided silence off (every side would count as silent at once).
            guard configuration.silentTimeout > 0 else { continue }
            earliestSideExpiry = min(earliestSideExpiry, sideExpiry)
            latestSideExpiry = max(latestSideExpiry, sideExpiry)
        }
        // A call with no streams at all (every section rejected) is judged by its signalling like a silent one.
        if !anyStream {
            allSilentExpiry = max(allSilentExpiry, CallMediaActivity.expiry(call.lastSignal, configuration.silentTimeout))
        }
    }

    /// Rule 2: some side is past its silent expiry while another is not (it still sends). When every side is
    /// quiet, the call has no media at all and rule 1 (or 3) decides, with its own reason.
    func oneSideSilent(now: SessionTime) -> Bool {
        now >= earliestSideExpiry && now < latestSideExpiry
    }

    /// `lastActivity + seconds`, the first instant at which `now.microseconds(since: lastActivity)` is no longer
    /// below the limit (saturating like the comparison it mirrors).
    static func expiry(_ lastActivity: SessionTime, _ seconds: Int64) -> SessionTime {
        let limit = SessionTime.saturatingMicroseconds(seconds)
        let (sum, overflow) = lastActivity.microseconds.addingReportingOverflow(limit)
        if overflow { return SessionTime(microseconds: limit < 0 ? .min : .max) }
        return SessionTime(microseconds: sum)
    }
}
