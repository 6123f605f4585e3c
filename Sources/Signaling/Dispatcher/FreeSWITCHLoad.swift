/// The `freeswitchLoad` score of a box: its free capacity weighted by its idle CPU.
///
///     sessions  = Session-Count + calls we started on it since that heartbeat
///     capacity  = min(Max-Sessions, configured maxSessions)
///     free      = max(0, capacity - sessions)
///     score     = free × clamp(Idle-CPU, 0...100) / 100
///
/// The box with the highest score is the first choice (OpenSIPS load_balancer with FreeSWITCH
/// sources likewise ranks by free session slots; the Idle-CPU factor keeps a box whose CPU is
/// saturated by transcoding or conferences from winning on slots alone). Counting our own calls since
/// the heartbeat stops a burst between two heartbeats from landing entirely on one box.
///
/// If the box's data is stale (no heartbeat for `staleHeartbeatIntervals` intervals) or it never sent
/// one, the score falls back to live call counts: `free = capacity - active calls` with capacity the
/// configured maxSessions, else the last reported Max-Sessions, else the configured default, and the
/// CPU factor 1.
public enum FreeSWITCHLoad {
    public static func score(heartbeat: FreeSWITCHHeartbeat?, callsSinceHeartbeat: Int, isStale: Bool,
                             activeCalls: Int, configuredMaxSessions: Int?, defaultMaxSessions: Int) -> Double
    {
        if let heartbeat, !isStale {
            var capacity = heartbeat.maxSessions
            if let configured = configuredMaxSessions { capacity = min(capacity, configured) }
            let sessions = heartbeat.sessionCount.addingReportingOverflow(callsSinceHeartbeat).partialValue
            let free = max(0, capacity.subtractingReportingOverflow(sessions).partialValue)
            let idle = min(100, max(0, heartbeat.idleCPU))
            return Double(free) * idle / 100
        }
        let capacity = configuredMaxSessions ?? heartbeat?.maxSessions ?? defaultMaxSessions
        return Double(max(0, capacity.subtractingReportingOverflow(activeCalls).partialValue))
    }
}
