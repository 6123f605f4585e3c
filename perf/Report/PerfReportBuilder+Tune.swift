extension PerfReportBuilder {
    /// The sweep: CPU per 10k pps and p99 per configuration, the table, and the chosen YAML.
    public static func tune(_ t: TuneReport, missing: [TuneKnob], command: String) -> ReportDocument {
        let sel = TuneSelection.Criteria(lossThreshold: t.criteria.lossThreshold, p99BoundMicroseconds: t.criteria.p99BoundMicroseconds)
        let rows: [[String]] = t.trials.enumerated().map { i, trial in
            let r = trial.report
            return ["\(i + 1)", trial.label, f(r?.receivedPps, 0), f(r.map { $0.lossFraction * 100 }, 3),
                    f(r?.latencyP99Microseconds, 0), f(r.flatMap(TuneSelection.cost), 2),
                    TuneSelection.disqualification(trial, criteria: sel) ?? (i == t.best ? "BEST" : "ok")]
        }
        let ran = t.trials.enumerated().filter { $0.element.report != nil }
        let labels = ran.map { "#\($0.offset + 1)" }
        var cost = SVGBarChart(title: "CPU per 10k pps by configuration", yLabel: "% of a core per 10k pps", categories: labels,
                               seriesNames: ["cost"], values: ran.map { [$0.element.report.flatMap(TuneSelection.cost).map { .init(value: $0) }] })
        cost.subtitle = "lower is better; numbers are the table's rows"
        var p99 = SVGBarChart(title: "p99 one-way latency by configuration", yLabel: "µs", categories: labels,
                              seriesNames: ["p99"], values: ran.map { [$0.element.report.map { .init(value: $0.latencyP99Microseconds) }] })
        p99.subtitle = "bound \(f(t.criteria.p99BoundMicroseconds, 0)) µs"
        var paragraphs = [t.yamlSnippet.map { "best configuration: " + $0.replacingNewlines() } ?? "no configuration qualified"]
        if !missing.isEmpty {
            paragraphs.append("not swept (no such relay option): " + missing.map(\.key).joined(separator: ", "))
        }
        return ReportDocument(title: "tandem perf tune: \(t.configFile)", notes: [command], sections: [
            .init(heading: "Trials", paragraphs: paragraphs,
                  table: .init(header: ["#", "settings", "received pps", "loss %", "p99 µs", "CPU % per 10k pps", "verdict"], rows: rows),
                  charts: [cost.svg(), p99.svg()]),
        ])
    }
}

extension String {
    func replacingNewlines() -> String { split(separator: "\n").joined(separator: "; ") }
}
