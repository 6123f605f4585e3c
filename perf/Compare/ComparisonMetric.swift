/// A figure compared across targets: how to read it from one run, its unit, and which way is better.
public struct ComparisonMetric: Sendable {
    public var name: String
    public var unit: String
    public var lowerIsBetter: Bool
    public var read: @Sendable (ComparisonRun) -> Double?

    public init(name: String, unit: String, lowerIsBetter: Bool, read: @escaping @Sendable (ComparisonRun) -> Double?) {
        self.name = name
        self.unit = unit
        self.lowerIsBetter = lowerIsBetter
        self.read = read
    }

    /// RTP figures; CPU rows only exist when a pid or core was given (the read returns nil otherwise).
    public static let rtp: [ComparisonMetric] = [
        ComparisonMetric(name: "received", unit: "pps", lowerIsBetter: false) { $0.rtp?.receivedPps },
        ComparisonMetric(name: "loss", unit: "%", lowerIsBetter: true) { $0.rtp.map { $0.lossFraction * 100 } },
        ComparisonMetric(name: "latency p50", unit: "µs", lowerIsBetter: true) { $0.rtp?.latencyP50Microseconds },
        ComparisonMetric(name: "latency p99", unit: "µs", lowerIsBetter: true) { $0.rtp?.latencyP99Microseconds },
        ComparisonMetric(name: "latency p99.9", unit: "µs", lowerIsBetter: true) { $0.rtp?.latencyP999Microseconds },
        ComparisonMetric(name: "relay CPU per 10k pps", unit: "% core", lowerIsBetter: true) { $0.rtp?.relayCPUPercentPer10kPps },
        ComparisonMetric(name: "relay core busy per 10k pps", unit: "% core", lowerIsBetter: true) {
            $0.rtp?.relayCorePercentPer10kPps
        },
        ComparisonMetric(name: "relay + softirq per 10k pps", unit: "% core", lowerIsBetter: true) {
            $0.rtp?.relayForwardingPercentPer10kPps
        },
    ]

    /// ng set-up figures.
    public static let ng: [ComparisonMetric] = [
        ComparisonMetric(name: "calls", unit: "calls/s", lowerIsBetter: false) { $0.ng?.callsPerSecond },
        ComparisonMetric(name: "failed calls", unit: "%", lowerIsBetter: true) { run in
            run.ng.map { r in r.callsStarted > 0 ? Double(r.callsFailed) * 100 / Double(r.callsStarted) : 0 }
        },
        ComparisonMetric(name: "command latency p50", unit: "µs", lowerIsBetter: true) {
            $0.ng?.latency.first { $0.command == "all" }?.p50Microseconds
        },
        ComparisonMetric(name: "command latency p99", unit: "µs", lowerIsBetter: true) {
            $0.ng?.latency.first { $0.command == "all" }?.p99Microseconds
        },
        ComparisonMetric(name: "relay CPU per 1k calls/s", unit: "% core", lowerIsBetter: true) { run in
            guard let r = run.ng, let cpu = r.relayCPUCores, r.callsPerSecond > 0 else { return nil }
            return cpu * 100 / (r.callsPerSecond / 1000)
        },
    ]
}

/// One target's run in one round.
public struct ComparisonRun: Sendable, Codable {
    public var target: String
    public var round: Int
    public var rtp: RTPLoadReport?
    public var ng: NGLoadReport?
    public var error: String?
}
