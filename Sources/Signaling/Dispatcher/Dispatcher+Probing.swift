extension Dispatcher {
    /// Fires due work: outstanding probes past their timeout count as failures, and destinations
    /// whose probe is due get a `.sendProbe`. Call when `nextDeadline` passes (or on a coarse tick).
    public mutating func advance(to now: SIPInstant) -> [DispatcherAction] {
        var actions: [DispatcherAction] = []
        let settings = configuration.probing
        for id in runtimes.keys.sorted() {
            guard var runtime = runtimes[id], !runtime.isDraining else { continue }
            if let outstanding = runtime.health.outstandingProbe, outstanding.deadline <= now {
                runtime.health.outstandingProbe = nil
                runtime.health.nextProbeAt = now + settings.intervalMilliseconds
                record(&runtime, id: id, failure: true, into: &actions)
            }
            if runtime.health.outstandingProbe == nil, runtime.health.wantsProbe(settings: settings),
               runtime.health.nextProbeAt <= now
            {
                let probeID = nextProbeID
                nextProbeID &+= 1
                runtime.health.outstandingProbe = (probeID, now + settings.timeoutMilliseconds)
                runtime.health.nextProbeAt = now + settings.intervalMilliseconds
                actions.append(.sendProbe(probeID: probeID, destination: id, uri: runtime.uri))
            }
            runtimes[id] = runtime
        }
        return actions
    }

    /// When `advance` next has work: the earliest probe timeout or due probe.
    public var nextDeadline: SIPInstant? {
        var earliest: SIPInstant?
        let settings = configuration.probing
        for runtime in runtimes.values where !runtime.isDraining {
            let due: SIPInstant?
            if let outstanding = runtime.health.outstandingProbe {
                due = outstanding.deadline
            } else if runtime.health.wantsProbe(settings: settings) {
                due = runtime.health.nextProbeAt
            } else {
                due = nil
            }
            if let due, earliest.map({ due < $0 }) ?? true { earliest = due }
        }
        return earliest
    }

    /// The driver's report for a probe it sent. Results for unknown or superseded probes (already
    /// timed out by `advance`, destination removed or disabled) are ignored.
    public mutating func probeResult(_ probeID: UInt64, _ outcome: DispatcherProbeOutcome,
                                     now: SIPInstant) -> [DispatcherAction]
    {
        guard let id = runtimes.first(where: { $0.value.health.outstandingProbe?.id == probeID })?.key,
              var runtime = runtimes[id]
        else { return [] }
        runtime.health.outstandingProbe = nil
        var actions: [DispatcherAction] = []
        record(&runtime, id: id, failure: configuration.probing.isFailure(outcome), into: &actions)
        runtimes[id] = runtime
        return actions
    }

    /// The outcome of a real request relayed to a destination (from failover handling): failures
    /// count toward making it inactive exactly like failed probes; a success resets the failure run.
    /// Successes do not revive an inactive box (no calls go there; probes do that).
    public mutating func reportResult(_ outcome: DispatcherProbeOutcome, for id: DispatcherDestinationID,
                                      now: SIPInstant) -> [DispatcherAction]
    {
        guard var runtime = runtimes[id], !runtime.isDraining else { return [] }
        let failure = configuration.probing.isFailure(outcome)
        if !failure, runtime.health.state == .inactive { return [] }
        var actions: [DispatcherAction] = []
        record(&runtime, id: id, failure: failure, into: &actions)
        runtimes[id] = runtime
        return actions
    }

    /// Admin enable/disable. A disabled destination is never selected or probed; enabling makes it
    /// active with a probe due at once.
    public mutating func setDisabled(_ disabled: Bool, for id: DispatcherDestinationID,
                                     now: SIPInstant) -> [DispatcherAction]
    {
        guard var runtime = runtimes[id] else { return [] }
        let before = runtime.health.state
        guard let after = runtime.health.setDisabled(disabled, now: now) else { return [] }
        runtimes[id] = runtime
        return [.stateChanged(id, from: before, to: after)]
    }

    private func record(_ runtime: inout DestinationRuntime, id: DispatcherDestinationID, failure: Bool,
                        into actions: inout [DispatcherAction])
    {
        let before = runtime.health.state
        if let after = runtime.health.record(failure: failure, settings: configuration.probing) {
            actions.append(.stateChanged(id, from: before, to: after))
        }
    }
}
