import Foundation
import Relay

/// `tandem perf tune`: starts the local relay once per combination of the sweepable knobs, measures each with
/// the same bounded RTP workload, and ranks them with `TuneSelection`. Trials that would not fit in the time
/// budget are not started (and listed as such), so the sweep never runs past `maxSeconds` by more than one trial's
/// shutdown.
public struct TuneRunner: Sendable {
    public var tandem: String
    public var configFile: String
    /// The relay's ng address (from the config file).
    public var ng: IPv4Endpoint
    public var workload: RTPLoadConfiguration
    public var knobs: [TuneKnob]
    public var maxSeconds: Double
    public var relayCPU: Int?
    public var criteria = TuneSelection.Criteria()
    /// One knob at a time (default) or the full product.
    public var strategy: TuneSweepPlan.Strategy = .each
    public var logDirectory: String

    public init(tandem: String, configFile: String, ng: IPv4Endpoint, workload: RTPLoadConfiguration,
                knobs: [TuneKnob], maxSeconds: Double, relayCPU: Int?, logDirectory: String) {
        self.tandem = tandem
        self.configFile = configFile
        self.ng = ng
        self.workload = workload
        self.knobs = knobs
        self.maxSeconds = maxSeconds
        self.relayCPU = relayCPU
        self.logDirectory = logDirectory
    }

    /// Expected wall time of one trial: start-up, call set-up and teardown, sending, drain, shutdown.
    public var secondsPerTrial: Double {
        2 + workload.durationSeconds + Double(workload.drainMilliseconds) / 1000 + Double(workload.calls) / 700
    }

    public func run(progress: ProgressLine? = nil, finished: (TuneTrial) -> Void = { _ in }) -> TuneReport {
        let planned = TuneSweepPlan.plannedTrials(knobs: knobs, strategy: strategy)
        let start = Date()
        var trials: [TuneTrial] = []
        try? FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        while let settings = TuneSweepPlan.next(knobs: knobs, strategy: strategy, done: trials, criteria: criteria) {
            let i = trials.count
            let elapsed = Date().timeIntervalSince(start)
            guard elapsed + secondsPerTrial <= maxSeconds else {
                // The rest of the plan depends on results that will not come: record the next trial and stop.
                trials.append(TuneTrial(settings: settings, report: nil, error: "not run: --max-seconds budget spent", seconds: 0))
                break
            }
            progress?.prefix = "trial \(i + 1)/\(Swift.max(planned, i + 1))"
            progress?.extraSecondsLeft = Swift.min(Double(Swift.max(0, planned - i - 1)) * secondsPerTrial,
                                                   Swift.max(0, maxSeconds - elapsed - secondsPerTrial))
            let trial = runTrial(settings, index: i, progress: progress)
            trials.append(trial)
            finished(trial)
        }
        progress?.clear()
        return TuneReport(configFile: configFile, knobs: knobs, strategy: strategy, trials: trials, criteria: criteria,
                          best: TuneSelection.best(trials, criteria: criteria))
    }

    private func runTrial(_ settings: [TuneSetting], index: Int, progress: ProgressLine?) -> TuneTrial {
        let began = Date()
        // Deleted calls must free their ports at once, and trials must not fight over the metrics port.
        var arguments = ["--config", configFile, "--delete-delay", "0", "--listen-metrics", ""]
        for s in settings { arguments += ["--\(s.key)", s.value] }
        let relay: RelayProcess
        do {
            relay = try RelayProcess(tandem: tandem, arguments: arguments, cpu: relayCPU,
                                     logPath: "\(logDirectory)/trial-\(index + 1).log")
        } catch {
            return TuneTrial(settings: settings, report: nil, error: error.description, seconds: Date().timeIntervalSince(began))
        }
        defer { relay.stop() }
        guard relay.waitReady(ng: ng, seconds: 10) else {
            return TuneTrial(settings: settings, report: nil, error: "relay did not answer ng ping: \(relay.logTail())",
                             seconds: Date().timeIntervalSince(began))
        }
        var c = workload
        c.relay = ng
        c.relayPID = relay.pid
        do {
            let report = try RTPLoadGenerator(configuration: c, progress: progress?.sink).run()
            return TuneTrial(settings: settings, report: report, error: nil, seconds: Date().timeIntervalSince(began))
        } catch {
            return TuneTrial(settings: settings, report: nil, error: error.description, seconds: Date().timeIntervalSince(began))
        }
    }
}

/// The outcome of a sweep: every trial, the best one, and the knobs that could not be swept.
public struct TuneReport: Sendable, Codable {
    public var configFile: String
    public var knobs: [TuneKnob]
    public var strategy: TuneSweepPlan.Strategy
    public var trials: [TuneTrial]
    public var criteria: Criteria
    public var best: Int?

    public struct Criteria: Sendable, Codable {
        public var lossThreshold: Double
        public var p99BoundMicroseconds: Double
    }

    init(configFile: String, knobs: [TuneKnob], strategy: TuneSweepPlan.Strategy, trials: [TuneTrial],
         criteria: TuneSelection.Criteria, best: Int?) {
        self.configFile = configFile
        self.knobs = knobs
        self.strategy = strategy
        self.trials = trials
        self.criteria = Criteria(lossThreshold: criteria.lossThreshold, p99BoundMicroseconds: criteria.p99BoundMicroseconds)
        self.best = best
    }

    /// The best trial's settings as YAML for the relay's config file, or nil.
    public var yamlSnippet: String? {
        best.map { TuneSelection.yaml(settings: trials[$0].settings) }
    }

    public func text(missing: [TuneKnob]) -> String {
        let f = { (v: Double?, d: Int) in v.map { FixedPoint.format($0, digits: d) } ?? "-" }
        let sel = TuneSelection.Criteria(lossThreshold: criteria.lossThreshold, p99BoundMicroseconds: criteria.p99BoundMicroseconds)
        var lines = ["| # | settings | received pps | loss % | p99 µs | relay CPU % | CPU % per 10k pps | verdict |",
                     "|---|---|---:|---:|---:|---:|---:|---|"]
        for (i, t) in trials.enumerated() {
            let r = t.report
            let verdict = TuneSelection.disqualification(t, criteria: sel) ?? (i == best ? "BEST" : "ok")
            lines.append("| \(i + 1) | \(t.label) | \(f(r?.receivedPps, 0)) | \(f(r.map { $0.lossFraction * 100 }, 3)) | " +
                         "\(f(r?.latencyP99Microseconds, 0)) | \(f(r?.relayCPUCores.map { $0 * 100 }, 1)) | " +
                         "\(f(r.flatMap(TuneSelection.cost), 2)) | \(verdict) |")
        }
        lines.append("")
        if !missing.isEmpty {
            lines.append("not swept: " + missing.map { "\($0.key) (\($0.meaning))" }.joined(separator: ", "))
        }
        if let yaml = yamlSnippet {
            lines.append("best configuration (add to \(configFile)):")
            lines.append("")
            lines.append(yaml)
        } else {
            lines.append("no configuration carried the workload cleanly: lower --rate or raise --p99-bound-us")
        }
        return lines.joined(separator: "\n")
    }
}
