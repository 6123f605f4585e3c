import Testing
@testable import Perf

/// `perf rtp`, `perf ng` and `perf compare` against real relays: `tandem relay` (the debug build next to the
/// tests) and Debian's rtpengine in userspace. Loss and latency are measured from the stamped packets, not
/// assumed; the bounds are loose because CI machines are shared.
@Suite(.serialized) struct RelayIntegrationTests {
    static func rtpRun(_ relay: RelayUnderTest) throws -> RTPLoadReport {
        var c = RTPLoadConfiguration(relay: relay.ng)
        c.calls = 20
        c.durationSeconds = 2
        c.relayPID = relay.pid
        return try RTPLoadGenerator(configuration: c).run()
    }

    static func checkRTP(_ r: RTPLoadReport, _ relay: RelayUnderTest) {
        #expect(r.callsEstablished == 20, "\(r.ngErrorSamples) \(relay.logTail())")
        #expect(r.targetPps == 2000)
        #expect(r.sent > 3000)
        #expect(r.lossFraction < 0.05, "lost \(r.lost) of \(r.sent)")
        #expect(r.misrouted == 0 && r.duplicates == 0)
        #expect(r.latencyP50Microseconds > 0 && r.latencyP99Microseconds < 1_000_000)
        #expect(r.latencyDistribution.map { !$0.cdf.isEmpty && !$0.buckets.isEmpty } == true)
        #expect(r.relayCPUCores != nil)
        #expect(r.teardownErrors == 0)
    }

    static func ngRun(_ relay: RelayUnderTest) throws -> NGLoadReport {
        var c = NGLoadGenerator.Configuration(relay: relay.ng)
        c.calls = 300
        c.inFlight = 8
        c.durationSeconds = 15
        return try NGLoadGenerator(configuration: c).run()
    }

    static func checkNG(_ r: NGLoadReport, _ relay: RelayUnderTest) {
        #expect(r.callsCompleted == 300 && r.callsFailed == 0, "\(r.errorSamples) \(relay.logTail())")
        #expect(r.errorReplies == 0 && r.timeouts == 0)
        #expect(r.latency.first { $0.command == "offer" }.map { $0.count == 300 && $0.p50Microseconds > 0 } == true)
    }

    @Test(.timeLimit(.minutes(1)))
    func tandemRelay() throws {
        let relay = try RelayUnderTest(.tandem, portMin: 46000)
        defer { relay.stop() }
        RelayIntegrationTests.checkRTP(try RelayIntegrationTests.rtpRun(relay), relay)
        RelayIntegrationTests.checkNG(try RelayIntegrationTests.ngRun(relay), relay)
    }

    @Test(.timeLimit(.minutes(1)))
    func rtpengineUserspace() throws {
        let relay = try RelayUnderTest(.rtpengine, portMin: 48000)
        defer { relay.stop() }
        RelayIntegrationTests.checkRTP(try RelayIntegrationTests.rtpRun(relay), relay)
        RelayIntegrationTests.checkNG(try RelayIntegrationTests.ngRun(relay), relay)
    }

    /// Both relays, two rounds in alternation: every run produced figures and the ratios exist.
    @Test(.timeLimit(.minutes(1)))
    func compareTandemWithRTPEngine() throws {
        let tandem = try RelayUnderTest(.tandem, portMin: 46000)
        defer { tandem.stop() }
        let rtpengine = try RelayUnderTest(.rtpengine, portMin: 48000)
        defer { rtpengine.stop() }
        var r = RTPLoadConfiguration(relay: tandem.ng)
        r.calls = 10
        r.durationSeconds = 1
        r.drainMilliseconds = 300
        var runner = ComparisonRunner(targets: [CompareTarget(name: "tandem", relay: tandem.ng, pid: tandem.pid),
                                                CompareTarget(name: "rtpengine", relay: rtpengine.ng, pid: rtpengine.pid)],
                                      workload: .rtp, rounds: 2, rtp: r, ng: .init(relay: tandem.ng))
        runner.pauseSeconds = 0.1
        let report = runner.run()
        #expect(report.runs.count == 4 && report.runs.allSatisfy { $0.error == nil && $0.rtp?.callsEstablished == 10 },
                "\(report.runs.map { $0.error ?? "ok" })")
        let received = report.metrics.first { $0.metric == "received" }
        #expect(received?.ratios[1].map { $0.rounds == 2 && $0.median > 0.8 && $0.median < 1.25 } == true)
        #expect(report.metrics.contains { $0.metric == "relay CPU per 10k pps" })
    }
}
