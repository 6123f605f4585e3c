/// The outcome of `tandem perf compare`: every run, and per metric each target's summary and its ratio to the
/// first target (the baseline).
public struct ComparisonReport: Sendable, Codable {
    public struct MetricRow: Sendable, Codable {
        public var metric: String
        public var unit: String
        public var lowerIsBetter: Bool
        /// Per target, in target order; nil when the target never produced the figure.
        public var summaries: [ComparisonStatistics.Summary?]
        /// Per target, its ratio to the baseline (the baseline's own entry is nil).
        public var ratios: [ComparisonStatistics.Ratio?]
    }

    public var workload: ComparisonRunner.Workload
    public var targets: [String]
    public var rounds: Int
    public var runs: [ComparisonRun]
    public var metrics: [MetricRow]

    public init(workload: ComparisonRunner.Workload, targets: [String], rounds: Int, runs: [ComparisonRun]) {
        self.workload = workload
        self.targets = targets
        self.rounds = rounds
        self.runs = runs
        metrics = ComparisonReport.rows(workload: workload, targets: targets, rounds: rounds, runs: runs)
    }

    /// Per target, the metric's figure in each round (nil where the run failed or lacks it).
    static func series(_ metric: ComparisonMetric, target: String, rounds: Int, runs: [ComparisonRun]) -> [Double?] {
        (1...max(1, rounds)).map { round in
            runs.first { $0.target == target && $0.round == round }.flatMap { $0.error == nil ? metric.read($0) : nil }
        }
    }

    static func rows(workload: ComparisonRunner.Workload, targets: [String], rounds: Int,
                     runs: [ComparisonRun]) -> [MetricRow] {
        let metrics = workload == .rtp ? ComparisonMetric.rtp : ComparisonMetric.ng
        var rows: [MetricRow] = []
        for metric in metrics {
            let perTarget = targets.map { series(metric, target: $0, rounds: rounds, runs: runs) }
            guard perTarget.contains(where: { $0.contains { $0 != nil } }) else { continue }
            let summaries = perTarget.map { ComparisonStatistics.summary($0.compactMap { $0 }) }
            let ratios = perTarget.enumerated().map { i, values in
                i == 0 ? nil : ComparisonStatistics.ratio(baseline: perTarget[0], other: values)
            }
            rows.append(MetricRow(metric: metric.name, unit: metric.unit, lowerIsBetter: metric.lowerIsBetter,
                                  summaries: summaries, ratios: ratios))
        }
        return rows
    }

    /// A Markdown table: per metric, each target's median [min–max] and its ratio to the baseline.
    public func text() -> String {
        var lines: [String] = []
        let baseline = targets.first ?? "-"
        lines.append("\(workload.rawValue) compare, \(rounds) rounds in alternation (\(targets.joined(separator: " "))…); " +
                     "ratio = target / \(baseline), median of per-round ratios [min–max]")
        lines.append("")
        var header = "| metric |"
        var rule = "|---|"
        for (i, t) in targets.enumerated() {
            header += " \(t) |"
            rule += "---:|"
            if i > 0 {
                header += " \(t) / \(baseline) |"
                rule += "---:|"
            }
        }
        lines.append(header)
        lines.append(rule)
        for row in metrics {
            var line = "| \(row.metric) (\(row.unit)\(row.lowerIsBetter ? ", lower is better" : "")) |"
            for i in targets.indices {
                if let s = row.summaries[i] {
                    line += " \(ComparisonReport.figure(s.median)) [\(ComparisonReport.figure(s.min))–\(ComparisonReport.figure(s.max))] |"
                } else {
                    line += " - |"
                }
                if i > 0 {
                    if let r = row.ratios[i] {
                        line += " \(FixedPoint.format(r.median, digits: 2))× [\(FixedPoint.format(r.min, digits: 2))–" +
                            "\(FixedPoint.format(r.max, digits: 2))]\(r.consistent ? "" : " ~") |"
                    } else {
                        line += " - |"
                    }
                }
            }
            lines.append(line)
        }
        let failures = runs.filter { $0.error != nil }
        if !failures.isEmpty {
            lines.append("")
            for f in failures { lines.append("round \(f.round) \(f.target): \(f.error ?? "")") }
        }
        let bound = runs.filter { $0.rtp?.generatorBound == true }
        if !bound.isEmpty {
            lines.append("WARNING: \(bound.count) run(s) generator-bound (the figures describe the generator there)")
        }
        lines.append("(~ marks a ratio whose rounds disagree on the direction: no measurable difference)")
        return lines.joined(separator: "\n")
    }

    /// Three significant digits, grouped thousands for large figures.
    static func figure(_ v: Double) -> String { AxisScale.figure(v) }
}
