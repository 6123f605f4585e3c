/// `--find-max` for the RTP generator: runs `MaxRateSearch` where every probe is a complete, fresh run (new
/// sockets, new calls, deleted afterwards) at one rate, and a probe passes when loss is below the threshold, p99
/// latency is below the bound, nothing was misrouted, and the generator itself kept up (otherwise the probe
/// measured the generator and cannot count as a pass).
public struct RTPMaxRateFinder: Sendable {
    public var base: RTPLoadConfiguration
    public var lossThreshold: Double = 0.01
    public var p99BoundMicroseconds: Double = 10_000
    public var search: MaxRateSearch
    /// Live samples of the probe that runs (the progress line).
    public var progress: (@Sendable (LoadProgress) -> Void)?

    public init(base: RTPLoadConfiguration, search: MaxRateSearch) {
        self.base = base
        self.search = search
    }

    public struct ProbeReport: Sendable, Codable {
        public var rate: Double
        public var passed: Bool
        public var verdict: String
        public var report: RTPLoadReport?
    }

    public struct Result: Sendable, Codable {
        public var maxRate: Double?
        public var probes: [ProbeReport]
    }

    /// Why a report fails the criteria, or nil when it passes. Pure, so tests can pin the criteria down.
    public static func verdict(_ r: RTPLoadReport, lossThreshold: Double, p99BoundMicroseconds: Double) -> String? {
        if r.generatorBound { return "generator bound: \(r.generatorBoundReason ?? "")" }
        if r.misrouted > 0 { return "\(r.misrouted) misrouted" }
        if r.lossFraction >= lossThreshold { return "loss \(FixedPoint.format(r.lossFraction * 100, digits: 3))%" }
        if r.latencyP99Microseconds >= p99BoundMicroseconds {
            return "p99 \(FixedPoint.format(r.latencyP99Microseconds, digits: 0)) us"
        }
        return nil
    }

    /// `progress` sees each probe as it finishes (for a live log).
    public func run(progress: (ProbeReport) -> Void = { _ in }) -> Result {
        var probes: [ProbeReport] = []
        let outcome = search.run { (rate: Double) -> Bool in
            var configuration = base
            configuration.rate = rate
            let probe: ProbeReport
            do {
                let report = try RTPLoadGenerator(configuration: configuration, progress: self.progress).run()
                let why = RTPMaxRateFinder.verdict(report, lossThreshold: lossThreshold,
                                                   p99BoundMicroseconds: p99BoundMicroseconds)
                probe = ProbeReport(rate: rate, passed: why == nil, verdict: why ?? "pass", report: report)
            } catch {
                probe = ProbeReport(rate: rate, passed: false, verdict: "run failed: \(error)", report: nil)
            }
            probes.append(probe)
            progress(probe)
            return probe.passed
        }
        return Result(maxRate: outcome.bestRate, probes: probes)
    }
}
