/// Everything the dispatcher knows about one box at run time; shared by every set listing the box
/// and kept across reloads while the box stays configured (or still carries calls: draining).
struct DestinationRuntime: Sendable {
    var uri: SIPURI
    var attributes: DispatcherDestinationAttributes
    var health: DestinationHealth
    var activeCalls = 0
    var heartbeat: FreeSWITCHHeartbeat?
    var heartbeatAt: SIPInstant?
    var callsSinceHeartbeat = 0
    /// Removed by a reload while calls were in progress: never selected or probed, dropped when
    /// its last call ends.
    var isDraining = false

    init(uri: SIPURI, attributes: DispatcherDestinationAttributes, now: SIPInstant) {
        self.uri = uri
        self.attributes = attributes
        health = DestinationHealth(nextProbeAt: now)
    }

    var isSelectable: Bool { !isDraining && health.state.isSelectable }

    func heartbeatIsStale(now: SIPInstant, configuration: DispatcherConfiguration) -> Bool {
        guard let at = heartbeatAt else { return true }
        let window = configuration.heartbeatIntervalMilliseconds
            .multipliedReportingOverflow(by: Int64(configuration.staleHeartbeatIntervals))
        return now > at + (window.overflow ? Int64.max : window.partialValue)
    }

    /// Whether the box is at its session limit: tracked calls at the configured `maxSessions`, or a
    /// fresh heartbeat's sessions (plus our calls since) at the reported or configured limit.
    func isFull(now: SIPInstant, configuration: DispatcherConfiguration) -> Bool {
        if let max = attributes.maxSessions, activeCalls >= max { return true }
        guard let heartbeat, !heartbeatIsStale(now: now, configuration: configuration) else { return false }
        let capacity = min(heartbeat.maxSessions, attributes.maxSessions ?? Int.max)
        return heartbeat.sessionCount.addingReportingOverflow(callsSinceHeartbeat).partialValue >= capacity
    }

    func loadScore(now: SIPInstant, configuration: DispatcherConfiguration) -> Double {
        FreeSWITCHLoad.score(heartbeat: heartbeat, callsSinceHeartbeat: callsSinceHeartbeat,
                             isStale: heartbeatIsStale(now: now, configuration: configuration),
                             activeCalls: activeCalls, configuredMaxSessions: attributes.maxSessions,
                             defaultMaxSessions: configuration.defaultMaxSessions)
    }
}
