/// Picks the best trial of a sweep: among the trials that carried the workload cleanly (loss under the
/// threshold, p99 under the bound, nothing misrouted, generator not the bottleneck), the one with the lowest CPU
/// per 10k pps; ties within 3 % go to the lower p99. Pure, so the rule is tested without relays.
public enum TuneSelection {
    public struct Criteria: Sendable, Equatable {
        public var lossThreshold: Double
        public var p99BoundMicroseconds: Double
        public init(lossThreshold: Double = 0.01, p99BoundMicroseconds: Double = 10_000) {
            self.lossThreshold = lossThreshold
            self.p99BoundMicroseconds = p99BoundMicroseconds
        }
    }

    /// The cost a trial is ranked by: the relay process plus its core's softirq per 10k pps when the core was
    /// sampled (kernel forwarding runs there), else the relay process's CPU per 10k pps.
    public static func cost(_ r: RTPLoadReport) -> Double? {
        r.relayForwardingPercentPer10kPps ?? r.relayCorePercentPer10kPps ?? r.relayCPUPercentPer10kPps
    }

    /// Why a trial does not qualify, or nil.
    public static func disqualification(_ trial: TuneTrial, criteria: Criteria) -> String? {
        guard let r = trial.report else { return trial.error ?? "not run" }
        if let why = RTPMaxRateFinder.verdict(r, lossThreshold: criteria.lossThreshold,
                                              p99BoundMicroseconds: criteria.p99BoundMicroseconds) { return why }
        if cost(r) == nil { return "no CPU figure" }
        return nil
    }

    /// Index of the best trial, or nil when none qualifies.
    public static func best(_ trials: [TuneTrial], criteria: Criteria) -> Int? {
        var best: (index: Int, cost: Double, p99: Double)?
        for (i, t) in trials.enumerated() {
            guard disqualification(t, criteria: criteria) == nil, let r = t.report, let c = cost(r) else { continue }
            guard let current = best else {
                best = (i, c, r.latencyP99Microseconds)
                continue
            }
            let tie = Swift.abs(c - current.cost) <= 0.03 * Swift.max(c, current.cost)
            if (tie && r.latencyP99Microseconds < current.p99) || (!tie && c < current.cost) {
                best = (i, c, r.latencyP99Microseconds)
            }
        }
        return best?.index
    }

    /// The YAML snippet for the chosen settings, over the base file's own keys.
    public static func yaml(settings: [TuneSetting]) -> String {
        settings.map { "\($0.key): \($0.value)" }.joined(separator: "\n")
    }
}

/// One configuration's run under the sweep's workload.
public struct TuneTrial: Sendable, Codable {
    public var settings: [TuneSetting]
    public var report: RTPLoadReport?
    public var error: String?
    public var seconds: Double

    public init(settings: [TuneSetting], report: RTPLoadReport?, error: String?, seconds: Double) {
        self.settings = settings
        self.report = report
        self.error = error
        self.seconds = seconds
    }

    public var label: String { settings.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
}
