import Testing
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Perf

@Suite struct ReportWriterTests {
    /// True when `text` is well-formed XML (what a browser needs to render an SVG file at all).
    func wellFormed(_ text: String) -> Bool {
        XMLParser(data: Data(text.utf8)).parse()
    }

    @Test func escapesMarkup() {
        #expect(XMLText.escape("<a href=\"x\">&'") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;")
        #expect(XMLText.escape("ok\u{1}") == "ok?")
        #expect(XMLText.number(1.005) == "1" || XMLText.number(1.005) == "1.01")
        #expect(XMLText.number(12.5) == "12.50" && XMLText.number(3) == "3" && XMLText.number(.nan) == "0")
    }

    @Test func niceSteps() {
        #expect(AxisScale.niceStep(span: 100, targetTicks: 5) == 20)
        #expect(AxisScale.niceStep(span: 7, targetTicks: 5) == 2)
        #expect(AxisScale.niceStep(span: 0.3, targetTicks: 5) == 0.1)
        #expect(AxisScale.niceStep(span: 0, targetTicks: 5) == 1)
    }

    @Test func linearAxisCoversDataFromZero() {
        let a = AxisScale(kind: .linear, covering: [1200, 95_000])
        #expect(a.lower == 0 && a.upper == 100_000)
        #expect(a.ticks() == [0, 20_000, 40_000, 60_000, 80_000, 100_000])
        #expect(a.fraction(50_000) == 0.5 && a.fraction(-5) == 0 && a.fraction(1e9) == 1)
        let flat = AxisScale(kind: .linear, covering: [])
        #expect(flat.lower == 0 && flat.upper == 1)
    }

    @Test func logAxisUsesDecades() {
        let a = AxisScale(kind: .logarithmic, covering: [12, 3400, 0, -1])
        #expect(a.lower == 10 && a.upper == 10_000)
        #expect(a.ticks() == [10, 100, 1000, 10_000])
        #expect(Swift.abs(a.fraction(100) - 1.0 / 3) < 1e-9)
        #expect(a.fraction(0) == 0)
        let short = AxisScale(kind: .logarithmic, covering: [20, 300])
        #expect(short.ticks() == [10, 20, 50, 100, 200, 500, 1000])
    }

    @Test func tickLabels() {
        #expect(AxisScale.label(100_000) == "100k")
        #expect(AxisScale.label(1_500_000) == "1.5M")
        #expect(AxisScale.label(2.5) == "2.5")
        #expect(AxisScale.label(0) == "0")
        #expect(AxisScale.label(0.05) == "0.05")
    }

    @Test func chartIsWellFormedAndHasEverySeries() {
        var chart = SVGChart(title: "a < b & c", xLabel: "offered (pps)", yLabel: "received", series: [
            .init(name: "relay \"x\"", points: [(1000, 990), (2000, 1980)]),
            .init(name: "ref", points: [(0, 0), (2000, 2000)], style: .dashed),
            .init(name: "hist", points: [(1, 5), (2, 7)], style: .steps),
            .init(name: "empty", points: []),
        ])
        chart.subtitle = "note"
        let svg = chart.svg()
        #expect(wellFormed(svg))
        #expect(svg.contains("a &lt; b &amp; c") && svg.contains("relay &quot;x&quot;"))
        #expect(svg.components(separatedBy: "<path ").count - 1 == 3)
        #expect(svg.contains("stroke-dasharray"))
        #expect(svg.components(separatedBy: "<circle ").count - 1 == 2)
        // Log axes drop points they cannot place instead of writing NaN coordinates.
        chart.xKind = .logarithmic
        chart.series = [.init(name: "s", points: [(0, 1), (10, 2), (100, 3)])]
        let log = chart.svg()
        #expect(wellFormed(log) && !log.contains("nan") && log.components(separatedBy: "<circle ").count - 1 == 2)
    }

    @Test func barChartWithWhiskers() {
        let bars = SVGBarChart(title: "cpu", yLabel: "%", categories: ["tandem", "rtpengine"], seriesNames: ["median"],
                               values: [[.init(value: 7, low: 6, high: 8)], [nil]])
        let svg = bars.svg()
        #expect(wellFormed(svg))
        #expect(svg.contains("class=\"whisker\"") && svg.contains(">tandem<") && svg.contains(">rtpengine<"))
    }

    @Test func documentAsHTMLAndAsOneSVG() throws {
        let chart = SVGChart(title: "c", xLabel: "x", yLabel: "y", series: [.init(name: "s", points: [(1, 1)])]).svg()
        let doc = ReportDocument(title: "T <1>", notes: ["tandem perf rtp --relay 127.0.0.1:2223"], sections: [
            .init(heading: "H", paragraphs: ["p & q"], table: .init(header: ["a", "b"], rows: [["1", "<2>"]]), charts: [chart, chart, chart]),
        ])
        let html = doc.html()
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<td>&lt;2&gt;</td>") && !html.contains("<script"))
        #expect(html.components(separatedBy: "<svg ").count - 1 == 3)
        let svg = doc.svg()
        #expect(wellFormed(svg))
        #expect(svg.contains("<svg x=\"652\" y=\"56\" "))  // second chart: right column of the first row
        let path = NSTemporaryDirectory() + "perf-report-\(UInt32.random(in: 0...UInt32.max)).svg"
        try doc.write(to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == svg)
        #expect(throws: ReportDocument.WriteError.self) { try doc.write(to: "/tmp/x.png") }
    }

    @Test func reportsFromResultsRender() {
        var r = SampleReports.rtp()
        r.latencyDistribution = LatencyDistribution(cdf: [.init(percentile: 50, microseconds: 40), .init(percentile: 100, microseconds: 900)],
                                                    buckets: [.init(upperMicroseconds: 40, count: 5), .init(upperMicroseconds: 900, count: 1)])
        #expect(wellFormed(PerfReportBuilder.rtp(r, command: "c").svg()))
        let probes = [RTPMaxRateFinder.ProbeReport(rate: 1000, passed: true, verdict: "pass", report: r),
                      RTPMaxRateFinder.ProbeReport(rate: 2000, passed: false, verdict: "run failed", report: nil)]
        let fm = PerfReportBuilder.findMax(.init(maxRate: 1000, probes: probes), relay: "x", command: "c")
        #expect(wellFormed(fm.svg()) && fm.html().contains("run failed"))
        let runs = [ComparisonRun(target: "a", round: 1, rtp: r, ng: nil, error: nil),
                    ComparisonRun(target: "b", round: 1, rtp: r, ng: nil, error: nil)]
        let cmp = PerfReportBuilder.compare(ComparisonReport(workload: .rtp, targets: ["a", "b"], rounds: 1, runs: runs), command: "c")
        #expect(wellFormed(cmp.svg()))
        let tune = TuneReport(configFile: "r.yaml", knobs: [], strategy: .each, trials: [TuneTrial(settings: [.init(key: "io-engine", value: "mmsg")], report: r, error: nil, seconds: 1)],
                              criteria: .init(), best: 0)
        #expect(wellFormed(PerfReportBuilder.tune(tune, missing: [], command: "c").svg()))
    }
}
