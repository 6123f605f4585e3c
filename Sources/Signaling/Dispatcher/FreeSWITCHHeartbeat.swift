/// The load figures of one FreeSWITCH HEARTBEAT event (sent every `event-heartbeat-interval`
/// seconds, 20 by default): `Session-Count`, `Max-Sessions`, `Idle-CPU`, `FreeSWITCH-Hostname`.
public struct FreeSWITCHHeartbeat: Sendable, Hashable {
    public var hostname: String?
    public var sessionCount: Int
    public var maxSessions: Int
    /// Percent of CPU idle, 0...100 (FreeSWITCH prints it as `99.000000`).
    public var idleCPU: Double
    public var sessionsPerSecond: Int?

    public init(hostname: String? = nil, sessionCount: Int, maxSessions: Int, idleCPU: Double,
                sessionsPerSecond: Int? = nil)
    {
        self.hostname = hostname
        self.sessionCount = sessionCount
        self.maxSessions = maxSessions
        self.idleCPU = idleCPU
        self.sessionsPerSecond = sessionsPerSecond
    }

    /// Reads a decoded event; nil unless it is a HEARTBEAT with numeric Session-Count, Max-Sessions
    /// and Idle-CPU.
    public init?(event: ESLEvent) {
        guard event.header("Event-Name") == "HEARTBEAT",
              let count = event.header("Session-Count").flatMap({ Int($0) }),
              let max = event.header("Max-Sessions").flatMap({ Int($0) }),
              let idleText = event.header("Idle-CPU"), let idle = Double(idleText), idle.isFinite
        else { return nil }
        self.init(hostname: event.header("FreeSWITCH-Hostname"), sessionCount: count, maxSessions: max,
                  idleCPU: idle, sessionsPerSecond: event.header("Session-Per-Sec").flatMap { Int($0) })
    }
}
