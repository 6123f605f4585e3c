import Testing
@testable import Perf

@Suite struct ComparisonStatisticsTests {
    @Test func summaryOfOddAndEvenCounts() throws {
        let odd = try #require(ComparisonStatistics.summary([3, 1, 2]))
        #expect(odd.median == 2 && odd.min == 1 && odd.max == 3 && odd.mean == 2 && odd.count == 3)
        let even = try #require(ComparisonStatistics.summary([4, 1, 3, 2]))
        #expect(even.median == 2.5)
        #expect(ComparisonStatistics.summary([]) == nil)
        #expect(ComparisonStatistics.summary([.nan, .infinity]) == nil)
    }

    @Test func ratiosPairRoundsAndSkipGaps() {
        // Round 2 of the baseline failed, round 3's baseline is 0: both are left out, not counted as 0 or ∞.
        let r = ComparisonStatistics.roundRatios(baseline: [10, nil, 0, 20], other: [5, 7, 3, 30])
        #expect(r == [0.5, 1.5])
    }

    @Test func ratioMedianSpreadAndConsistency() throws {
        let lower = try #require(ComparisonStatistics.ratio(baseline: [10, 10, 10], other: [7, 8, 6]))
        #expect(lower.median == 0.7 && lower.min == 0.6 && lower.max == 0.8 && lower.rounds == 3 && lower.consistent)
        let mixed = try #require(ComparisonStatistics.ratio(baseline: [10, 10, 10], other: [9, 11, 10.5]))
        #expect(!mixed.consistent)
        #expect(ComparisonStatistics.ratio(baseline: [nil], other: [1]) == nil)
    }

    @Test func reportRowsUseTheFirstTargetAsBaseline() throws {
        func run(_ target: String, _ round: Int, pps: Double, cpu: Double) -> ComparisonRun {
            var r = SampleReports.rtp()
            r.receivedPps = pps
            r.relayCPUPercentPer10kPps = cpu
            return ComparisonRun(target: target, round: round, rtp: r, ng: nil, error: nil)
        }
        let runs = [run("a", 1, pps: 100, cpu: 10), run("b", 1, pps: 100, cpu: 5),
                    run("a", 2, pps: 100, cpu: 12), run("b", 2, pps: 100, cpu: 9),
                    ComparisonRun(target: "a", round: 3, rtp: nil, ng: nil, error: "boom"), run("b", 3, pps: 100, cpu: 1)]
        let report = ComparisonReport(workload: .rtp, targets: ["a", "b"], rounds: 3, runs: runs)
        let cpu = try #require(report.metrics.first { $0.metric == "relay CPU per 10k pps" })
        #expect(cpu.summaries[0]?.median == 11)
        let ratio = try #require(cpu.ratios[1])
        #expect(ratio.rounds == 2 && ratio.min == 0.5 && ratio.max == 0.75 && ratio.median == 0.625)
        #expect(cpu.ratios[0] == nil)
        // No core was sampled: that row is absent, not a row of dashes.
        #expect(!report.metrics.contains { $0.metric == "relay core busy per 10k pps" })
        let text = report.text()
        #expect(text.contains("0.63× [0.50–0.75]"))
        #expect(text.contains("round 3 a: boom"))
    }

    @Test func targetArgumentParsing() throws {
        let t = try #require(CompareTarget(argument: "rtpengine=127.0.0.1:2224,pid=42,core=1"))
        #expect(t.name == "rtpengine" && t.relay.port == 2224 && t.pid == 42 && t.core == 1)
        let bare = try #require(CompareTarget(argument: "10.0.0.1:2223"))
        #expect(bare.name == "10.0.0.1:2223" && bare.pid == nil)
        #expect(CompareTarget(argument: "x=host:1") == nil)
        #expect(CompareTarget(argument: "x=127.0.0.1:1,pid=-3") == nil)
        #expect(CompareTarget(argument: "x=127.0.0.1:1,color=red") == nil)
        #expect(CompareTarget(argument: "=127.0.0.1:1") == nil)
    }
}

/// Report values for tests that only care about a few fields.
enum SampleReports {
    static func rtp(loss: Double = 0, p99: Double = 500, cpuPer10k: Double? = 5, generatorBound: Bool = false) -> RTPLoadReport {
        RTPLoadReport(relay: "127.0.0.1:2223", callsRequested: 10, callsEstablished: 10, setupErrors: 0, setupSeconds: 0.1,
                      teardownErrors: 0, ngErrorSamples: [], targetPps: 1000, sendSeconds: 1, sent: 1000, sendErrors: 0,
                      skipped: 0, delivered: 1000, lost: 0, lossFraction: loss, duplicates: 0, misrouted: 0, foreign: 0,
                      sentPps: 1000, receivedPps: 1000, latencyP50Microseconds: 50, latencyP99Microseconds: p99,
                      latencyP999Microseconds: p99 * 2, latencyMaxMicroseconds: p99 * 3, jitterMeanMicroseconds: 1,
                      jitterMaxMicroseconds: 2, relayCPUCores: cpuPer10k.map { $0 / 100 / 10 },
                      relayCPUPercentPer10kPps: cpuPer10k, generatorCPUCores: 0.1, generatorBound: generatorBound,
                      generatorBoundReason: generatorBound ? "test" : nil)
    }
}
