/// What one RTP load run does: how many calls, how fast, how long, where.
public struct RTPLoadConfiguration: Sendable {
    public var relay: IPv4Endpoint
    /// Address the generator's endpoint sockets bind to and advertise in SDP.
    public var localAddress: String = "127.0.0.1"
    public var calls: Int = 100
    /// Total packets per second over all streams; nil means real pace: 1000/ptime per direction per call.
    public var rate: Double?
    public var ptimeMilliseconds: Int = 20
    /// RTP payload bytes (G.711 at 20 ms: 160). At least `PayloadStamp.byteCount`.
    public var payloadSize: Int = 160
    /// Sending time in seconds, 0.1 ... 600.
    public var durationSeconds: Double = 10
    /// Seconds of sending at the same rate before the measured phase (not in rates or CPU; loss and latency
    /// include it). Lets a kernel-offloading relay install its streams before its CPU is measured.
    public var warmupSeconds: Double = 0
    /// How long to keep receiving after the last send, so packets in flight are not counted lost.
    public var drainMilliseconds: Int = 500
    /// Pin the generator thread to this CPU.
    public var cpu: Int?
    /// Sample this process's CPU (the relay) during the media phase.
    public var relayPID: Int32?
    /// Sample this CPU core's busy time (the relay's core: its process plus the softirq forwarding steered there).
    public var relayCore: Int?
    /// ng requests in flight during setup and teardown.
    public var setupWindow: Int = 16
    public var ngTimeoutMilliseconds: Int = 3000
    public var socketBufferBytes: Int = 512 * 1024
    /// How the generator moves packets (see `RTPGeneratorEngine`). The default stays `epoll`: io_uring did not lift
    /// the generator's limit at 100k pps (docs/PERFORMANCE.md, "perf rtp with an io_uring generator"), and
    /// the recorded figures were all taken with epoll.
    public var generatorEngine: RTPGeneratorEngine = .epoll
    /// List measured packets slower than this many microseconds in the report's `slowPackets` (0: off).
    public var slowPacketThresholdMicroseconds: Int = 0

    public static let maximumDurationSeconds = 600.0

    public init(relay: IPv4Endpoint) { self.relay = relay }

    public var streamCount: Int { calls * 2 }

    /// The configured rate, or real pace for every stream.
    public var targetRate: Double {
        if let rate { return rate }
        return Double(streamCount) * 1000 / Double(max(1, ptimeMilliseconds))
    }

    /// A problem with the values, or nil.
    public func validationError() -> String? {
        if calls < 1 || calls > 50_000 { return "calls must be 1...50000" }
        if !(0.1...RTPLoadConfiguration.maximumDurationSeconds).contains(durationSeconds) {
            return "duration must be 0.1...600 seconds"
        }
        if payloadSize < PayloadStamp.byteCount || payloadSize > 1400 {
            return "payload size must be \(PayloadStamp.byteCount)...1400 bytes"
        }
        if !(0...60).contains(warmupSeconds) { return "warm-up must be 0...60 seconds" }
        if ptimeMilliseconds < 1 || ptimeMilliseconds > 1000 { return "ptime must be 1...1000 ms" }
        if let rate, !(rate > 0 && rate <= 10_000_000) { return "rate must be > 0 and <= 10M pps" }
        return nil
    }
}
