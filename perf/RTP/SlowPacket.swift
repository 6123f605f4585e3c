/// One delivered packet that took longer than the run's slow-packet threshold (`perf rtp --slow-log`).
public struct SlowPacket: Sendable, Equatable, Codable {
    /// Wall-clock send time (CLOCK_REALTIME ns), as stamped in the payload.
    public var sendNanoseconds: UInt64
    public var latencyNanoseconds: UInt64
    public var stream: UInt32
    public var sequence: UInt64

    /// `send_ns,latency_us,stream,sequence` lines, oldest first, with a header: for a plot or `sort`.
    public static func csv(_ packets: [SlowPacket]) -> String {
        var text = "send_ns,latency_us,stream,sequence\n"
        for p in packets.sorted(by: { $0.sendNanoseconds < $1.sendNanoseconds }) {
            text += "\(p.sendNanoseconds),\(p.latencyNanoseconds / 1000),\(p.stream),\(p.sequence)\n"
        }
        return text
    }
}
