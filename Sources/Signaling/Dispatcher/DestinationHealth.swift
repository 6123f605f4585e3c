/// A destination's health as the admin API and metrics show it.
public enum DestinationState: String, Sendable, Hashable, CaseIterable {
    /// Selectable, no recent failure.
    case active
    /// Still selectable but has failed recently (fewer than the failure threshold in a row).
    case probing
    /// Not selectable; probed until it answers `successThreshold` times in a row.
    case inactive
    /// Switched off by the admin: never selected, never probed.
    case disabled

    public var isSelectable: Bool { self == .active || self == .probing }
}

/// The per-destination probing state machine:
///
///     active --failure--> probing --(N-th failure in a row)--> inactive
///     probing --success--> active
///     inactive --(M-th success in a row)--> active
///     any --disable--> disabled --enable--> active
///
/// Failures of real calls count like failed probes. A failure resets the success run and a success
/// the failure run.
struct DestinationHealth: Sendable {
    var state: DestinationState = .active
    var consecutiveFailures = 0
    var consecutiveSuccesses = 0
    /// The probe in flight, if any: results for any other id are stale and ignored.
    var outstandingProbe: (id: UInt64, deadline: SIPInstant)?
    var nextProbeAt: SIPInstant

    init(nextProbeAt: SIPInstant) { self.nextProbeAt = nextProbeAt }

    /// Applies one outcome; returns the new state if it changed.
    mutating func record(failure: Bool, settings: DispatcherProbingSettings) -> DestinationState? {
        guard state != .disabled else { return nil }
        let before = state
        if failure {
            consecutiveSuccesses = 0
            consecutiveFailures = min(consecutiveFailures + 1, Int.max - 1)
            if state != .inactive {
                state = consecutiveFailures >= settings.failureThreshold ? .inactive : .probing
            }
        } else {
            consecutiveFailures = 0
            if state == .inactive {
                consecutiveSuccesses = min(consecutiveSuccesses + 1, Int.max - 1)
                if consecutiveSuccesses >= settings.successThreshold {
                    state = .active
                    consecutiveSuccesses = 0
                }
            } else {
                state = .active
            }
        }
        return state == before ? nil : state
    }

    /// Admin switch; returns the new state if it changed.
    mutating func setDisabled(_ disabled: Bool, now: SIPInstant) -> DestinationState? {
        let before = state
        if disabled {
            state = .disabled
            outstandingProbe = nil
        } else if state == .disabled {
            state = .active
            nextProbeAt = now
        }
        consecutiveFailures = 0
        consecutiveSuccesses = 0
        return state == before ? nil : state
    }

    func wantsProbe(settings: DispatcherProbingSettings) -> Bool {
        switch state {
        case .disabled: return false
        case .active: return settings.probesActiveDestinations
        case .probing, .inactive: return true
        }
    }
}
