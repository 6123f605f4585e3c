import Testing
@testable import Perf

@Suite struct MaxRateSearchTests {
    @Test func doublesThenBisectsToTheLimit() {
        let search = MaxRateSearch(start: 10_000, ceiling: 1_000_000, maxProbes: 12, resolution: 0.05)
        let result = search.run { (rate: Double) -> Bool in rate <= 73_000 }
        // 10k, 20k, 40k, 80k(fail), then bisection within 5%.
        #expect(Array(result.probes.prefix(4)).map(\.rate) == [10_000, 20_000, 40_000, 80_000])
        #expect(result.probes.count <= 12)
        let best = try! #require(result.bestRate)
        let failing = try! #require(result.firstFailingRate)
        #expect(best <= 73_000 && best > 73_000 * 0.94)
        #expect(failing > 73_000 && failing - best <= 0.05 * failing)
    }

    @Test func stopsAtTheCeiling() {
        let result = MaxRateSearch(start: 100, ceiling: 300, maxProbes: 10).run { (_: Double) -> Bool in true }
        #expect(result.probes.map(\.rate) == [100, 200, 300])
        #expect(result.bestRate == 300 && result.firstFailingRate == nil)
    }

    @Test func bisectsBelowAFailingStart() {
        let result = MaxRateSearch(start: 1_000, ceiling: 10_000, maxProbes: 4).run { (rate: Double) -> Bool in rate < 300 }
        #expect(result.probes.map(\.rate) == [1_000, 500, 250, 375])
        #expect(result.bestRate == 250)
    }

    @Test func respectsTheProbeBudget() {
        var calls = 0
        let result = MaxRateSearch(start: 1, ceiling: 1e9, maxProbes: 5).run { (_: Double) -> Bool in
            calls += 1
            return true
        }
        #expect(calls == 5 && result.probes.count == 5)
    }

    @Test func verdictCriteria() {
        var r = RTPLoadReport.sample
        #expect(RTPMaxRateFinder.verdict(r, lossThreshold: 0.01, p99BoundMicroseconds: 1_000) == nil)
        r.lossFraction = 0.02
        #expect(RTPMaxRateFinder.verdict(r, lossThreshold: 0.01, p99BoundMicroseconds: 1_000)?.hasPrefix("loss") == true)
        r = .sample
        r.latencyP99Microseconds = 5_000
        #expect(RTPMaxRateFinder.verdict(r, lossThreshold: 0.01, p99BoundMicroseconds: 1_000)?.hasPrefix("p99") == true)
        r = .sample
        r.misrouted = 1
        #expect(RTPMaxRateFinder.verdict(r, lossThreshold: 0.01, p99BoundMicroseconds: 1_000) == "1 misrouted")
        r = .sample
        r.generatorBound = true
        #expect(RTPMaxRateFinder.verdict(r, lossThreshold: 0.01, p99BoundMicroseconds: 1_000)?.hasPrefix("generator") == true)
    }
}

extension RTPLoadReport {
    static let sample = RTPLoadReport(
        relay: "x", callsRequested: 1, callsEstablished: 1, setupErrors: 0, setupSeconds: 0, teardownErrors: 0,
        ngErrorSamples: [], targetPps: 100, sendSeconds: 1, sent: 100, sendErrors: 0, skipped: 0, delivered: 100,
        lost: 0, lossFraction: 0, duplicates: 0, misrouted: 0, foreign: 0, sentPps: 100, receivedPps: 100,
        latencyP50Microseconds: 50, latencyP99Microseconds: 100, latencyP999Microseconds: 200,
        latencyMaxMicroseconds: 300, jitterMeanMicroseconds: 1, jitterMaxMicroseconds: 2, relayCPUCores: nil,
        relayCPUPercentPer10kPps: nil, generatorCPUCores: 0.1, generatorBound: false, generatorBoundReason: nil)
}
