import Testing
@testable import Perf

/// The whole generator (ng setup, paced sends, receives with kernel timestamps, accounting, teardown) against
/// the in-process `FakeNGRelay`: 2 calls for 1 s, with each engine.
@Suite struct GeneratorEndToEndTests {
    @Test(.timeLimit(.minutes(1)), arguments: [RTPGeneratorEngine.epoll, .uring])
    func twoCallsForOneSecond(engine: RTPGeneratorEngine) throws {
        let relay = try FakeNGRelay()
        defer { relay.stop() }
        var c = RTPLoadConfiguration(relay: relay.endpoint)
        c.generatorEngine = engine
        c.calls = 2
        c.durationSeconds = 1
        c.drainMilliseconds = 300
        let report = try RTPLoadGenerator(configuration: c).run()
        #expect(report.callsEstablished == 2)
        #expect(report.targetPps == 200)
        #expect(report.sent >= 190 && report.sent <= 201)
        #expect(report.delivered == report.sent)
        #expect(report.lost == 0 && report.duplicates == 0 && report.misrouted == 0 && report.foreign == 0)
        #expect(report.latencyP50Microseconds > 0 && report.latencyMaxMicroseconds < 1_000_000)
        #expect(report.teardownErrors == 0)
        #expect(report.slowPackets == nil)  // not asked for
        #expect(report.generatorEngine == engine)
    }

    /// io_uring engine with a warm-up before the measured phase (the receives are armed once for both): every
    /// packet is accounted exactly once.
    @Test(.timeLimit(.minutes(1)))
    func uringEngineAccountsEveryPacketAcrossWarmup() throws {
        let relay = try FakeNGRelay()
        defer { relay.stop() }
        var c = RTPLoadConfiguration(relay: relay.endpoint)
        c.generatorEngine = .uring
        c.calls = 1
        c.rate = 10_000
        c.warmupSeconds = 0.3
        c.durationSeconds = 0.5
        c.drainMilliseconds = 300
        let report = try RTPLoadGenerator(configuration: c).run()
        #expect(report.generatorEngine == .uring)
        #expect(report.sent > 2500)
        #expect(report.sendErrors == 0)
        #expect(report.lost == 0 && report.duplicates == 0 && report.misrouted == 0 && report.foreign == 0)
        #expect(report.delivered == report.sent)
    }

    /// With a 1 µs threshold every measured packet is "slow": the list has them all, each with its stream.
    @Test(.timeLimit(.minutes(1)))
    func slowPacketListCoversTheMeasuredPackets() throws {
        let relay = try FakeNGRelay()
        defer { relay.stop() }
        var c = RTPLoadConfiguration(relay: relay.endpoint)
        c.calls = 1
        c.durationSeconds = 0.5
        c.drainMilliseconds = 300
        c.slowPacketThresholdMicroseconds = 1
        let report = try RTPLoadGenerator(configuration: c).run()
        let slow = try #require(report.slowPackets)
        #expect(UInt64(slow.count) == report.delivered)
        #expect(slow.allSatisfy { $0.stream < 2 && $0.latencyNanoseconds > 1000 })
    }

    @Test(.timeLimit(.minutes(1)))
    func ngLoadCountsCallsAndLatency() throws {
        let relay = try FakeNGRelay()
        defer { relay.stop() }
        var c = NGLoadGenerator.Configuration(relay: relay.endpoint)
        c.calls = 50
        c.inFlight = 4
        c.durationSeconds = 5
        let report = try NGLoadGenerator(configuration: c).run()
        #expect(report.callsCompleted == 50 && report.callsFailed == 0)
        #expect(report.errorReplies == 0 && report.timeouts == 0)
        #expect(report.latency.first { $0.command == "all" }?.count == 150)
    }

    @Test func setupFailureIsReported() {
        // Nobody listens on the port: every offer times out and the run says why.
        var c = RTPLoadConfiguration(relay: IPv4Endpoint(host: "127.0.0.1", port: 9)!)
        c.calls = 1
        c.durationSeconds = 0.1
        c.ngTimeoutMilliseconds = 200
        #expect(throws: RTPLoadGenerator.RunError.self) { try RTPLoadGenerator(configuration: c).run() }
    }
}
