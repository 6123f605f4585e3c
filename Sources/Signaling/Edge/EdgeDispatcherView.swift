/// `GET /dispatcher`: the dispatcher's sets and boxes as JSON, from `Dispatcher.snapshot`.
struct EdgeDispatcherView: Encodable {
    struct SetView: Encodable {
        var name: String
        var algorithm: String
        var members: [String]
        var partitions: [String]
        /// True for the set requests from clients go to.
        var routesClients: Bool
    }

    struct DestinationView: Encodable {
        var uri: String
        /// active | probing | inactive | disabled
        var state: String
        var draining: Bool
        var activeCalls: Int
        var failuresInARow: Int
        var successesInARow: Int
        /// FreeSWITCH load score (higher = more room); from the last heartbeat or tracked calls.
        var load: Double
        var heartbeatAgeMs: Int64?
        var heartbeatStale: Bool
        var sessions: Int?
        var maxSessions: Int?
        var idleCPU: Double?
        /// Whether an ESL link is configured for the box.
        var esl: Bool
    }

    var sets: [SetView]
    var destinations: [DestinationView]

    init(_ core: EdgeCore) {
        let snapshot = core.dispatch.dispatcher.snapshot(now: EdgeClock.monotonicNow())
        sets = snapshot.sets.map {
            SetView(name: $0.name, algorithm: $0.algorithm.rawValue, members: $0.members.map(\.rawValue),
                    partitions: $0.partitions, routesClients: $0.name == core.dispatch.setName)
        }
        destinations = snapshot.destinations.map {
            DestinationView(uri: $0.id.rawValue, state: $0.state.rawValue, draining: $0.isDraining, activeCalls: $0.activeCalls,
                            failuresInARow: $0.consecutiveFailures, successesInARow: $0.consecutiveSuccesses,
                            load: $0.loadScore.isFinite ? $0.loadScore : 0, heartbeatAgeMs: $0.heartbeatAgeMilliseconds,
                            heartbeatStale: $0.heartbeatIsStale, sessions: $0.lastHeartbeat?.sessionCount,
                            maxSessions: $0.lastHeartbeat?.maxSessions, idleCPU: $0.lastHeartbeat?.idleCPU,
                            esl: core.eslConnections[$0.id] != nil)
        }
    }
}
