import Testing
@testable import Perf

@Suite struct SIPLoadReportTests {
    func report(rate: Double, sippCPU: Double?) throws -> SIPLoadReport {
        let stats = try SIPpStatistics(csv: SIPpStatSamples.calls)
        return SIPLoadReport(scenario: .calls, proxy: "127.0.0.1:5070", targetRate: rate, callLimit: 3000,
                             statistics: stats, responseTimes: SIPpResponseTimes(csv: SIPpStatSamples.rtt),
                             proxyCPUPercent: 20, proxyCPUPercentPer1kPerSecond: 40.6, sippCPUPercent: sippCPU,
                             sippExitStatus: 0, workDirectory: "/w")
    }

    @Test func sustainedNeedsTheTargetRateAndNoFailures() throws {
        #expect(try report(rate: 500, sippCPU: 10).sustained)  // 492.9/s of 500
        #expect(try !report(rate: 600, sippCPU: 10).sustained)
    }

    @Test func flagsAGeneratorBoundRun() throws {
        #expect(try report(rate: 500, sippCPU: 95).generatorBound)
        #expect(try !report(rate: 500, sippCPU: nil).generatorBound)
        let text = try report(rate: 500, sippCPU: 95).text()
        #expect(text.contains("achieved 492.9/s: 3000 successful, 0 failed, 61 retransmissions"))
        #expect(text.contains("response invite: p50 8 ms"))
        #expect(text.contains("proxy CPU 20 %, 40.6 % per 1k/s"))
        #expect(text.contains("generator-bound"))
    }

    @Test func openCallsAtTheBoundAreNotSustained() throws {
        var r = try report(rate: 500, sippCPU: 10)
        r.statistics.totalCalls = 3010
        #expect(r.openCalls == 10 && !r.sustained)
        #expect(r.text().contains("10 calls still open"))
    }
}
