import Testing
@testable import Perf

@Suite struct SIPpStatisticsTests {
    @Test func parsesTheLastRowOfARegisterRun() throws {
        let s = try SIPpStatistics(csv: SIPpStatSamples.register)
        #expect(s.elapsedSeconds == 5)
        #expect(s.targetRate == 2000)
        #expect(s.callRate == 1832.51)
        #expect(s.totalCalls == 10_000 && s.successfulCalls == 10_000 && s.failedCalls == 0)
        #expect(s.retransmissions == 408)
        #expect(s.failures.isEmpty)
        #expect(s.meanResponseMilliseconds == ["reg": 34])
    }

    @Test func findsEveryRTDTimerOfACallRun() throws {
        let s = try SIPpStatistics(csv: SIPpStatSamples.calls)
        #expect(s.totalCalls == 3000 && s.successfulCalls == 3000)
        #expect(s.callRate == 492.854)
        #expect(s.retransmissions == 61)
        #expect(s.meanResponseMilliseconds == ["invite": 29, "bye": 17])
    }

    @Test func reportsNonZeroFailureCausesByName() throws {
        let csv = """
            StartTime;ElapsedTime(C);TargetRate;CallRate(C);TotalCallCreated;SuccessfulCall(C);FailedCall(C);\
            FailedMaxUDPRetrans(C);FailedUnexpectedMessage(C);Retransmissions(C);ResponseTimereg(C);ResponseTimeregStDev(C);
            x;00:01:02;100;98.5;6200;6190;10;7;3;40;00:00:00:001500;00:00:00:000700;
            """
        let s = try SIPpStatistics(csv: csv)
        #expect(s.elapsedSeconds == 62)
        #expect(s.failedCalls == 10)
        #expect(s.failures == ["MaxUDPRetrans": 7, "UnexpectedMessage": 3])
        #expect(s.meanResponseMilliseconds == ["reg": 1.5])
    }

    @Test func rejectsBrokenFilesWithTypedErrors() {
        #expect(throws: SIPpStatistics.ParseError.noHeader) { try SIPpStatistics(csv: "") }
        #expect(throws: SIPpStatistics.ParseError.noDataRow) { try SIPpStatistics(csv: "StartTime;ElapsedTime(C);\n") }
        #expect(throws: SIPpStatistics.ParseError.missingColumn("TargetRate")) {
            try SIPpStatistics(csv: "StartTime;ElapsedTime(C);\nx;00:00:01;\n")
        }
        let bad = "StartTime;ElapsedTime(C);TargetRate;\nx;00:00:01;\nx;00:0x:01;5;\n"
        #expect(throws: SIPpStatistics.ParseError.badValue(line: 3, column: "ElapsedTime(C)", text: "00:0x:01")) {
            try SIPpStatistics(csv: bad)
        }
    }

    @Test func parsesDurations() {
        #expect(SIPpStatistics.seconds("01:00:00") == 3600)
        #expect(SIPpStatistics.seconds("00:00:01:250000") == 1.25)
        #expect(SIPpStatistics.seconds("1:2") == nil)
        #expect(SIPpStatistics.seconds("00:-1:00") == nil)
        #expect(SIPpStatistics.seconds("00:00:99999999999999999999") == nil)
    }

    @Test func responseTimePercentilesPerTimer() {
        let times = SIPpResponseTimes(csv: SIPpStatSamples.rtt)
        #expect(times.timers["invite"]?.samples == 2)
        #expect(times.timers["invite"]?.p50Milliseconds == 8)
        #expect(times.timers["bye"]?.maxMilliseconds == 0)

        var rows = "Date_ms;response_time_ms;rtd_no\n"
        for ms in 1...100 { rows += "1.0;\(ms);reg\n" }
        rows += "garbage\n1.0;-3;reg\n2.0;7"  // skipped: no name, negative, truncated
        let reg = SIPpResponseTimes(csv: rows).timers["reg"]
        #expect(reg?.samples == 100)
        #expect(reg?.p50Milliseconds == 50 && reg?.p90Milliseconds == 90 && reg?.p99Milliseconds == 99)
        #expect(reg?.maxMilliseconds == 100)
    }
}
