/// The dispatcher core in front of the FreeSWITCH farm: named sets of destinations, selection by
/// algorithm, dialog accounting, OPTIONS probing, FreeSWITCH load data and live reload.
///
/// Sans-I/O and single-owner: a value type the driver keeps behind one lock or actor. It reads no
/// clock (every call that depends on time takes `now`) and no entropy (the `random` algorithm draws
/// from the injected generator). Probes go out as `DispatcherAction.sendProbe`; results come back
/// through `probeResult`.
public struct Dispatcher: Sendable {
    public private(set) var configuration: DispatcherConfiguration
    var sets: [String: DispatcherSetState] = [:]
    var runtimes: [DispatcherDestinationID: DestinationRuntime] = [:]
    /// Call-ID → the box carrying the call.
    var calls: [String: DispatcherDestinationID] = [:]
    var random: any RandomNumberGenerator & Sendable
    var nextProbeID: UInt64 = 1

    public init(configuration: DispatcherConfiguration, now: SIPInstant,
                random: any RandomNumberGenerator & Sendable = SplitMix64Generator(seed: 0x7461_6e64_656d))
        throws(DispatcherConfigurationError)
    {
        try configuration.validate()
        self.configuration = configuration
        self.random = random
        install(configuration, now: now)
    }

    // MARK: Dialog accounting

    /// Records a call placed on a box (after the INVITE was relayed to it). A Call-ID already
    /// recorded moves to the new box (failover re-sends the same Call-ID elsewhere).
    public mutating func callStarted(on destination: DispatcherDestinationID, callID: String) {
        guard runtimes[destination] != nil else { return }
        if calls[callID] == destination { return }
        if calls[callID] != nil { callEnded(callID: callID) }
        calls[callID] = destination
        runtimes[destination]?.activeCalls += 1
        runtimes[destination]?.callsSinceHeartbeat += 1
    }

    /// Records the end of a call (BYE, failed INVITE, expiry). Unknown Call-IDs are ignored.
    public mutating func callEnded(callID: String) {
        guard let destination = calls.removeValue(forKey: callID), var runtime = runtimes[destination] else { return }
        runtime.activeCalls = max(0, runtime.activeCalls - 1)
        if runtime.isDraining, runtime.activeCalls == 0 {
            runtimes[destination] = nil
        } else {
            runtimes[destination] = runtime
        }
    }

    /// The box a call was placed on, if it is tracked.
    public func destination(ofCall callID: String) -> DispatcherDestinationID? { calls[callID] }

    public func activeCalls(on destination: DispatcherDestinationID) -> Int { runtimes[destination]?.activeCalls ?? 0 }

    // MARK: FreeSWITCH load

    /// Stores a HEARTBEAT from the box's event socket.
    public mutating func heartbeat(_ heartbeat: FreeSWITCHHeartbeat, from destination: DispatcherDestinationID,
                                   now: SIPInstant)
    {
        guard runtimes[destination] != nil else { return }
        runtimes[destination]?.heartbeat = heartbeat
        runtimes[destination]?.heartbeatAt = now
        runtimes[destination]?.callsSinceHeartbeat = 0
    }

    /// The boxes that have an ESL address configured (for the driver to connect to), sorted by id.
    public var eslEndpoints: [(destination: DispatcherDestinationID, endpoint: ESLEndpoint)] {
        var out: [(destination: DispatcherDestinationID, endpoint: ESLEndpoint)] = []
        for (id, runtime) in runtimes where !runtime.isDraining {
            if let endpoint = runtime.attributes.esl { out.append((id, endpoint)) }
        }
        return out.sorted { $0.destination < $1.destination }
    }

    // MARK: State

    public func state(of destination: DispatcherDestinationID) -> DestinationState? { runtimes[destination]?.health.state }

    public func isSelectable(_ destination: DispatcherDestinationID) -> Bool {
        runtimes[destination]?.isSelectable ?? false
    }

    public var setNames: [String] { sets.keys.sorted() }

    /// Builds sets and runtimes for a validated configuration, keeping the runtime of every
    /// destination that stays and marking removed ones with calls as draining.
    mutating func install(_ configuration: DispatcherConfiguration, now: SIPInstant) {
        var newSets: [String: DispatcherSetState] = [:]
        var boxes: [DispatcherDestinationID: DispatcherDestination] = [:]
        for setConfiguration in configuration.sets {
            var set = DispatcherSetState(setConfiguration, defaultStatus: configuration.noDestinationStatus)
            if let old = sets[set.name] { set.inheritAlgorithmState(from: old) }
            for member in set.members where boxes[member.id] == nil { boxes[member.id] = member }
            newSets[set.name] = set
        }
        for (id, member) in boxes {
            if var runtime = runtimes[id] {
                runtime.uri = member.uri
                runtime.attributes = member.attributes
                if runtime.isDraining {
                    runtime.isDraining = false
                    runtime.health.nextProbeAt = now
                }
                runtimes[id] = runtime
            } else {
                runtimes[id] = DestinationRuntime(uri: member.uri, attributes: member.attributes, now: now)
            }
        }
        for (id, runtime) in runtimes where boxes[id] == nil {
            if runtime.activeCalls > 0 {
                runtimes[id]?.isDraining = true
                runtimes[id]?.health.outstandingProbe = nil
            } else {
                runtimes[id] = nil
            }
        }
        sets = newSets
        self.configuration = configuration
    }

    /// Live reload: validates and installs `configuration`. Destinations that remain (same URI) keep
    /// their health, call counts and load data; new ones start active with a probe due now; removed
    /// ones carrying calls drain. On a validation error nothing changes.
    public mutating func apply(_ configuration: DispatcherConfiguration, now: SIPInstant)
        throws(DispatcherConfigurationError)
    {
        try configuration.validate()
        install(configuration, now: now)
    }
}
