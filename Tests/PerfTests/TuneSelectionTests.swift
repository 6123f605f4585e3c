import Testing
@testable import Perf

@Suite struct TuneSelectionTests {
    func trial(_ label: String, _ report: RTPLoadReport?) -> TuneTrial {
        TuneTrial(settings: [TuneSetting(key: "io-engine", value: label)], report: report, error: report == nil ? "failed" : nil, seconds: 1)
    }

    @Test func cheapestCleanTrialWins() {
        let trials = [
            trial("a", SampleReports.rtp(cpuPer10k: 8)),
            trial("b", SampleReports.rtp(loss: 0.05, cpuPer10k: 2)),          // cheap but lossy
            trial("c", SampleReports.rtp(p99: 20_000, cpuPer10k: 3)),         // cheap but slow
            trial("d", SampleReports.rtp(cpuPer10k: 3, generatorBound: true)),// measured the generator
            trial("e", SampleReports.rtp(cpuPer10k: 6)),
            trial("f", nil),
        ]
        #expect(TuneSelection.best(trials, criteria: .init()) == 4)
        #expect(TuneSelection.disqualification(trials[1], criteria: .init())?.hasPrefix("loss") == true)
        #expect(TuneSelection.disqualification(trials[5], criteria: .init()) == "failed")
    }

    @Test func tiesGoToLowerLatency() {
        let trials = [trial("a", SampleReports.rtp(p99: 900, cpuPer10k: 5.0)), trial("b", SampleReports.rtp(p99: 300, cpuPer10k: 5.1))]
        #expect(TuneSelection.best(trials, criteria: .init()) == 1)
        let clear = [trial("a", SampleReports.rtp(p99: 900, cpuPer10k: 4.0)), trial("b", SampleReports.rtp(p99: 300, cpuPer10k: 5.1))]
        #expect(TuneSelection.best(clear, criteria: .init()) == 0)
        #expect(TuneSelection.best([trial("x", nil)], criteria: .init()) == nil)
    }

    @Test func coreBusyOutranksProcessCPU() {
        var r = SampleReports.rtp(cpuPer10k: 0.1)
        r.relayCorePercentPer10kPps = 4
        #expect(TuneSelection.cost(r) == 4)
    }

    @Test func knobsTheRelayLacksAreSkipped() {
        let (sweep, missing) = TuneKnob.available(in: ["num-threads", "io-engine", "port-min"])
        #expect(sweep.map(\.key) == ["io-engine", "num-threads"])
        #expect(missing.map(\.key).contains("ring-entries") && missing.map(\.key).contains("kernel"))
    }

    @Test func combinationsAreTheCartesianProduct() {
        let c = TuneKnob.combinations([TuneKnob(key: "a", values: ["1", "2"], meaning: ""),
                                       TuneKnob(key: "b", values: ["x", "y", "z"], meaning: "")])
        #expect(c.count == 6)
        #expect(c.first == [TuneSetting(key: "a", value: "1"), TuneSetting(key: "b", value: "x")])
        #expect(c.last == [TuneSetting(key: "a", value: "2"), TuneSetting(key: "b", value: "z")])
        #expect(TuneKnob.combinations([]) == [[]])
        #expect(TuneSelection.yaml(settings: c[1]) == "a: 1\nb: y")
    }
}
