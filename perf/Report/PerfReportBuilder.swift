/// Turns the results of `perf rtp`, `perf ng`, `perf rtp --find-max`, `perf compare` and `perf tune` into report
/// documents: the plots the issue asks for (achieved vs offered rate, loss, latency histogram and CDF, CPU per
/// 10k pps) and the table behind each.
public enum PerfReportBuilder {
    static func f(_ v: Double?, _ digits: Int = 1) -> String { v.map { FixedPoint.format($0, digits: digits) } ?? "-" }

    /// Latency CDF (log x) and histogram charts for named distributions.
    static func latencyCharts(_ named: [(String, LatencyDistribution)], what: String) -> [String] {
        let present = named.filter { !$0.1.cdf.isEmpty }
        guard !present.isEmpty else { return [] }
        var cdf = SVGChart(title: "\(what) latency CDF", xLabel: "latency (µs, log scale)", yLabel: "percentile",
                           series: present.map { name, d in
                               SVGChart.Series(name: name, points: d.cdf.map { ($0.microseconds, $0.percentile) }, style: .line)
                           })
        cdf.xKind = .logarithmic
        cdf.subtitle = "share of packets at or below a latency; further left is better"
        var histogram = SVGChart(title: "\(what) latency histogram", xLabel: "latency (µs, log scale)",
                                 yLabel: "share of samples (%)", series: present.map { name, d in
                                     let total = Double(Swift.max(1, d.buckets.reduce(0) { $0 + $1.count }))
                                     return SVGChart.Series(name: name, points: d.buckets.map {
                                         ($0.upperMicroseconds, Double($0.count) * 100 / total)
                                     }, style: .steps)
                                 })
        histogram.xKind = .logarithmic
        histogram.subtitle = "four buckets per doubling"
        return [cdf.svg(), histogram.svg()]
    }

    public static func rtp(_ r: RTPLoadReport, command: String) -> ReportDocument {
        var rows: [[String]] = [
            ["calls set up", "\(r.callsEstablished) / \(r.callsRequested)"],
            ["offered (target) pps", f(r.targetPps, 0)], ["sent pps", f(r.sentPps, 0)], ["received pps", f(r.receivedPps, 0)],
            ["lost", "\(r.lost) (\(f(r.lossFraction * 100, 3))%)"], ["duplicates / misrouted", "\(r.duplicates) / \(r.misrouted)"],
            ["latency p50 / p99 / p99.9 / max (µs)",
             "\(f(r.latencyP50Microseconds)) / \(f(r.latencyP99Microseconds)) / \(f(r.latencyP999Microseconds)) / \(f(r.latencyMaxMicroseconds))"],
            ["jitter mean / max (µs)", "\(f(r.jitterMeanMicroseconds)) / \(f(r.jitterMaxMicroseconds))"],
            ["generator CPU", "\(f(r.generatorCPUCores * 100))%"],
        ]
        if let c = r.relayCPUCores { rows.append(["relay process CPU", "\(f(c * 100))% (\(f(r.relayCPUPercentPer10kPps, 2))% per 10k pps)"]) }
        if let b = r.relayCoreBusy { rows.append(["relay core busy", "\(f(b * 100))% (\(f(r.relayCorePercentPer10kPps, 2))% per 10k pps)"]) }
        if r.generatorBound { rows.append(["WARNING", "generator-bound: \(r.generatorBoundReason ?? "")"]) }
        var rates = SVGBarChart(title: "Offered vs achieved rate", yLabel: "packets per second",
                                categories: ["offered", "sent", "received"], seriesNames: [r.relay],
                                values: [[.init(value: r.targetPps)], [.init(value: r.sentPps)], [.init(value: r.receivedPps)]])
        rates.subtitle = "loss \(f(r.lossFraction * 100, 3))%"
        var charts = [rates.svg()]
        charts += latencyCharts([(r.relay, r.latencyDistribution ?? LatencyDistribution(cdf: [], buckets: []))], what: "One-way")
        return ReportDocument(title: "tandem perf rtp: \(r.relay)", notes: [command],
                              sections: [.init(heading: "Run", table: .init(header: ["figure", "value"], rows: rows), charts: charts)])
    }

    public static func ng(_ r: NGLoadReport, command: String) -> ReportDocument {
        let rows = r.latency.map { l in
            [l.command, "\(l.count)", f(l.p50Microseconds), f(l.p99Microseconds), f(l.p999Microseconds), f(l.maxMicroseconds)]
        }
        var summary = ["\(r.callsCompleted) calls ok, \(r.callsFailed) failed in \(f(r.seconds, 2)) s: " +
                       "\(f(r.callsPerSecond)) calls/s, \(r.errorReplies) error replies, \(r.timeouts) timeouts"]
        if let cpu = r.relayCPUCores { summary.append("relay CPU \(f(cpu * 100))%") }
        let charts = latencyCharts([("all commands", r.latencyDistribution ?? LatencyDistribution(cdf: [], buckets: []))],
                                   what: "ng command")
        return ReportDocument(title: "tandem perf ng: \(r.relay)", notes: [command], sections: [
            .init(heading: "Call set-up, \(r.inFlight) in flight", paragraphs: summary,
                  table: .init(header: ["command", "n", "p50 µs", "p99 µs", "p99.9 µs", "max µs"], rows: rows), charts: charts),
        ])
    }

    public static func findMax(_ result: RTPMaxRateFinder.Result, relay: String, command: String) -> ReportDocument {
        let probes = result.probes.sorted { $0.rate < $1.rate }
        let withReport = probes.compactMap { p in p.report.map { (p, $0) } }
        let rows = probes.map { p in
            [f(p.rate, 0), p.passed ? "pass" : "fail", f(p.report?.receivedPps, 0), f(p.report.map { $0.lossFraction * 100 }, 3),
             f(p.report?.latencyP50Microseconds), f(p.report?.latencyP99Microseconds),
             f(p.report?.relayForwardingPercentPer10kPps ?? p.report?.relayCPUPercentPer10kPps, 2), p.verdict]
        }
        let offered = withReport.map { $0.0.rate }
        var achieved = SVGChart(title: "Achieved vs offered rate", xLabel: "offered (pps)", yLabel: "received (pps)", series: [
            .init(name: "received", points: withReport.map { ($0.0.rate, $0.1.receivedPps) }),
            .init(name: "offered = received", points: [(0, 0), (offered.max() ?? 1, offered.max() ?? 1)], style: .dashed),
        ])
        achieved.subtitle = "max passing rate: \(result.maxRate.map { f($0, 0) + " pps" } ?? "none")"
        let loss = SVGChart(title: "Loss vs offered rate", xLabel: "offered (pps)", yLabel: "loss (%)", series: [
            .init(name: "loss", points: withReport.map { ($0.0.rate, $0.1.lossFraction * 100) }),
        ])
        var latency = SVGChart(title: "Latency vs offered rate", xLabel: "offered (pps)", yLabel: "one-way latency (µs, log)", series: [
            .init(name: "p50", points: withReport.map { ($0.0.rate, $0.1.latencyP50Microseconds) }),
            .init(name: "p99", points: withReport.map { ($0.0.rate, $0.1.latencyP99Microseconds) }),
            .init(name: "p99.9", points: withReport.map { ($0.0.rate, $0.1.latencyP999Microseconds) }),
        ])
        latency.yKind = .logarithmic
        var charts = [achieved.svg(), loss.svg(), latency.svg()]
        let cpuSeries: [SVGChart.Series] = [
            .init(name: "relay process", points: withReport.compactMap { p, r in r.relayCPUPercentPer10kPps.map { (p.rate, $0) } }),
            .init(name: "relay core busy", points: withReport.compactMap { p, r in r.relayCorePercentPer10kPps.map { (p.rate, $0) } }),
            .init(name: "relay + core softirq", points: withReport.compactMap { p, r in r.relayForwardingPercentPer10kPps.map { (p.rate, $0) } }),
        ].filter { !$0.points.isEmpty }
        if !cpuSeries.isEmpty {
            var cpu = SVGChart(title: "CPU per 10k pps vs offered rate", xLabel: "offered (pps)", yLabel: "% of a core per 10k pps",
                               series: cpuSeries)
            cpu.subtitle = "lower is better"
            charts.append(cpu.svg())
        }
        charts += latencyCharts(withReport.map { ("\(f($0.0.rate, 0)) pps", $0.1.latencyDistribution ?? .init(cdf: [], buckets: [])) },
                                what: "Per-probe one-way")
        return ReportDocument(title: "tandem perf rtp --find-max: \(relay)", notes: [command], sections: [
            .init(heading: "Probes (each a fresh set of calls)", table: .init(
                header: ["offered pps", "result", "received pps", "loss %", "p50 µs", "p99 µs", "relay (+ softirq) CPU % per 10k pps", "verdict"],
                rows: rows), charts: charts),
        ])
    }

    public static func compare(_ c: ComparisonReport, command: String) -> ReportDocument {
        let baseline = c.targets.first ?? "-"
        var header = ["metric"]
        for (i, t) in c.targets.enumerated() {
            header.append("\(t) median [min–max]")
            if i > 0 { header.append("\(t) / \(baseline)") }
        }
        let rows: [[String]] = c.metrics.map { m in
            var row = ["\(m.metric) (\(m.unit))"]
            for i in c.targets.indices {
                row.append(m.summaries[i].map { "\(ComparisonReport.figure($0.median)) [\(ComparisonReport.figure($0.min))–\(ComparisonReport.figure($0.max))]" } ?? "-")
                if i > 0 {
                    row.append(m.ratios[i].map { "\(f($0.median, 2))× [\(f($0.min, 2))–\(f($0.max, 2))]" } ?? "-")
                }
            }
            return row
        }
        var charts: [String] = []
        // One bar chart per metric: the median with its spread over rounds, per target.
        for m in c.metrics {
            var chart = SVGBarChart(title: "\(m.metric): median over \(c.rounds) rounds, whisker min–max", yLabel: m.unit,
                                    categories: [""], seriesNames: c.targets,
                                    values: [m.summaries.map { s in s.map { .init(value: $0.median, low: $0.min, high: $0.max) } }])
            if let r = m.ratios.dropFirst().compactMap({ $0 }).first, c.targets.count == 2 {
                chart.subtitle = "\(c.targets[1]) / \(baseline) = \(f(r.median, 2))× [\(f(r.min, 2))–\(f(r.max, 2))]" +
                    (m.lowerIsBetter ? ", lower is better" : ", higher is better")
            } else {
                chart.subtitle = m.lowerIsBetter ? "lower is better" : "higher is better"
            }
            charts.append(chart.svg())
        }
        // The rounds themselves: does the ordering hold in every round?
        let key = c.workload == .rtp ? ComparisonMetric.rtp.first { $0.name == "relay + softirq per 10k pps" }
            .flatMap { m in c.runs.contains { m.read($0) != nil } ? m : nil }
            ?? ComparisonMetric.rtp.first { $0.name == "relay CPU per 10k pps" } ?? ComparisonMetric.rtp[0]
            : ComparisonMetric.ng[0]
        var rounds = SVGChart(title: "\(key.name) per round", xLabel: "round", yLabel: key.unit, series: c.targets.map { t in
            .init(name: t, points: ComparisonReport.series(key, target: t, rounds: c.rounds, runs: c.runs).enumerated()
                .compactMap { i, v in v.map { (Double(i + 1), $0) } })
        })
        rounds.subtitle = "runs alternate A B A B …; parallel lines mean the ratio is stable"
        charts.append(rounds.svg())
        let lastRound = c.runs.filter { $0.round == c.rounds }
        let distributions: [(String, LatencyDistribution)] = lastRound.compactMap { run in
            (run.rtp?.latencyDistribution ?? run.ng?.latencyDistribution).map { (run.target, $0) }
        }
        charts += latencyCharts(distributions, what: c.workload == .rtp ? "One-way (last round)" : "ng command (last round)")
        return ReportDocument(title: "tandem perf compare (\(c.workload.rawValue)): \(c.targets.joined(separator: " vs "))",
                              notes: [command, "\(c.rounds) rounds in alternation; ratios are medians of per-round ratios to \(baseline)"],
                              sections: [.init(heading: "Figures", table: .init(header: header, rows: rows), charts: charts)])
    }
}
