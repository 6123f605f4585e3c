import Testing
@testable import Perf

/// The order `perf tune` tries configurations in, against simulated trial results.
@Suite struct TuneSweepPlanTests {
    let knobs = [
        TuneKnob(key: "io-engine", values: ["uring", "mmsg"], meaning: ""),
        TuneKnob(key: "buffer-count", values: ["4096", "1024"], meaning: ""),
        TuneKnob(key: "batch-size", values: ["64", "32", "128"], meaning: ""),
    ]

    /// Runs the plan against a cost function of the settings (CPU per 10k pps), as `TuneRunner` does.
    func sweep(_ strategy: TuneSweepPlan.Strategy, cost: ([String: String]) -> Double?) -> [TuneTrial] {
        var done: [TuneTrial] = []
        while let next = TuneSweepPlan.next(knobs: knobs, strategy: strategy, done: done, criteria: .init()) {
            let map = Dictionary(uniqueKeysWithValues: next.map { ($0.key, $0.value) })
            let report = cost(map).map { SampleReports.rtp(cpuPer10k: $0) }
            done.append(TuneTrial(settings: next, report: report, error: report == nil ? "failed" : nil, seconds: 1))
            if done.count > 100 { break }
        }
        return done
    }

    @Test func eachSettlesOneKnobAtATimeFromTheDefaults() {
        // uring is cheaper, 1024 buffers cheaper, batch 128 cheapest.
        let trials = sweep(.each) { s in
            (s["io-engine"] == "uring" ? 5 : 7) + (s["buffer-count"] == "1024" ? -1 : 0) + (s["batch-size"] == "128" ? -0.5 : 0)
        }
        #expect(trials.map(\.label) == [
            "io-engine=uring buffer-count=4096 batch-size=64",
            "io-engine=mmsg buffer-count=4096 batch-size=64",
            "io-engine=uring buffer-count=1024 batch-size=64",
            "io-engine=uring buffer-count=1024 batch-size=32",
            "io-engine=uring buffer-count=1024 batch-size=128",
        ])
        #expect(trials.count == TuneSweepPlan.plannedTrials(knobs: knobs, strategy: .each))
        #expect(TuneSelection.best(trials, criteria: .init()) == 4)
    }

    @Test func eachSkipsURingKnobsWhenMMsgWins() {
        let trials = sweep(.each) { s in s["io-engine"] == "mmsg" ? 4 : 6 }
        #expect(!trials.dropFirst(2).contains { $0.settings.contains(TuneSetting(key: "buffer-count", value: "1024")) })
        #expect(trials.count == 4)  // default, mmsg, then batch 32 and 128 on mmsg
        #expect(trials.dropFirst(2).allSatisfy { $0.settings[0].value == "mmsg" })
    }

    @Test func eachKeepsTheDefaultWhenNoValueQualifies() {
        let trials = sweep(.each) { _ in nil }
        #expect(trials.count == TuneSweepPlan.plannedTrials(knobs: knobs, strategy: .each))
        #expect(trials.last?.label == "io-engine=uring buffer-count=4096 batch-size=128")
    }

    @Test func gridIsTheFullProduct() {
        let trials = sweep(.grid) { _ in 5 }
        #expect(trials.count == 12)
        #expect(trials.count == TuneSweepPlan.plannedTrials(knobs: knobs, strategy: .grid))
        #expect(Set(trials.map(\.label)).count == 12)
    }
}
