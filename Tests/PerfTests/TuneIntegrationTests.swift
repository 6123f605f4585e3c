import Foundation
import Glibc
import Testing
@testable import Perf

/// `perf tune` against the real `tandem relay` (the debug build next to the tests): every trial starts a relay
/// with the trial's flags, the sweep follows the one-knob-at-a-time plan, and the best is printed as YAML. Tiny
/// workload (10 calls, 1 s): this checks the mechanism, not the numbers.
@Suite(.serialized) struct TuneIntegrationTests {
    @Test(.timeLimit(.minutes(2)))
    func sweepOfBatchAndBufferKnobsRunsRealRelays() throws {
        let binary = "\(RelayUnderTest.packageRoot)/.build/debug/tandem"
        #expect(FileManager.default.isExecutableFile(atPath: binary))
        let port = Int(RelayUnderTest.freeUDPPort())
        let directory = NSTemporaryDirectory() + "tune-it-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/relay.yaml"
        try """
        interface: 127.0.0.1
        listen-ng: 127.0.0.1:\(port)
        port-min: 43000
        port-max: 43999
        kernel: off
        num-threads: 1
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let ng = try #require(IPv4Endpoint(host: "127.0.0.1", port: port))
        var workload = RTPLoadConfiguration(relay: ng)
        workload.calls = 10
        workload.durationSeconds = 1
        workload.drainMilliseconds = 200
        let knobs = TuneKnob.wanted.filter { ["buffer-size", "batch-size"].contains($0.key) }
        var runner = TuneRunner(tandem: binary, configFile: config, ng: ng, workload: workload, knobs: knobs,
                                maxSeconds: 90, relayCPU: nil, logDirectory: directory + "/logs")
        runner.criteria = TuneSelection.Criteria(lossThreshold: 0.05, p99BoundMicroseconds: 1_000_000)
        let report = runner.run()
        #expect(report.strategy == .each)
        // Defaults first, then buffer-size 1024, then batch-size 32 and 128 on the winning buffer size.
        #expect(report.trials.count == 4, "\(report.trials.map { "\($0.label): \($0.error ?? "ok")" })")
        #expect(report.trials.first?.label == "buffer-size=2048 batch-size=64")
        for trial in report.trials {
            #expect(trial.error == nil, "\(trial.label): \(trial.error ?? "")")
            #expect(trial.report?.callsEstablished == 10)
            #expect(trial.report?.misrouted == 0)
        }
        #expect(report.best != nil)
        #expect(report.yamlSnippet?.contains("batch-size: ") == true)
    }
}
