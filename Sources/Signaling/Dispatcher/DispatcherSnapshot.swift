/// A read-only picture of the dispatcher for the admin API and metrics.
public struct DispatcherSnapshot: Sendable, Hashable {
    public var sets: [DispatcherSetSnapshot]
    /// Every box (including draining ones), sorted by id.
    public var destinations: [DispatcherDestinationSnapshot]
}

public struct DispatcherSetSnapshot: Sendable, Hashable {
    public var name: String
    public var algorithm: DispatcherAlgorithm
    public var members: [DispatcherDestinationID]
    public var partitions: [String]
}

public struct DispatcherDestinationSnapshot: Sendable, Hashable {
    public var id: DispatcherDestinationID
    public var state: DestinationState
    public var isDraining: Bool
    public var activeCalls: Int
    public var consecutiveFailures: Int
    public var consecutiveSuccesses: Int
    public var lastHeartbeat: FreeSWITCHHeartbeat?
    public var heartbeatAgeMilliseconds: Int64?
    public var heartbeatIsStale: Bool
    /// The `freeswitchLoad` score now (see `FreeSWITCHLoad`).
    public var loadScore: Double
}

extension Dispatcher {
    public func snapshot(now: SIPInstant) -> DispatcherSnapshot {
        let sets = self.sets.values.sorted { $0.name < $1.name }.map {
            DispatcherSetSnapshot(name: $0.name, algorithm: $0.algorithm, members: $0.members.map(\.id),
                                  partitions: $0.partitions.map(\.name))
        }
        let destinations = runtimes.keys.sorted().compactMap { id -> DispatcherDestinationSnapshot? in
            guard let runtime = runtimes[id] else { return nil }
            return DispatcherDestinationSnapshot(
                id: id, state: runtime.health.state, isDraining: runtime.isDraining, activeCalls: runtime.activeCalls,
                consecutiveFailures: runtime.health.consecutiveFailures,
                consecutiveSuccesses: runtime.health.consecutiveSuccesses, lastHeartbeat: runtime.heartbeat,
                heartbeatAgeMilliseconds: runtime.heartbeatAt.map { now.milliseconds &- $0.milliseconds },
                heartbeatIsStale: runtime.heartbeatIsStale(now: now, configuration: configuration),
                loadScore: runtime.loadScore(now: now, configuration: configuration))
        }
        return DispatcherSnapshot(sets: sets, destinations: destinations)
    }
}
