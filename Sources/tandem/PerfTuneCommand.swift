import ArgumentParser
import Foundation
import Perf
import Relay

/// `tandem perf tune --relay-config FILE`: sweep the relay's knobs on this host and print the best as YAML.
struct PerfTuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Start the local relay with each combination of its tunable knobs, load each the same way, print the best.",
        discussion: """
            Sweeps the knobs the relay's config file has: io-engine, num-threads, kernel (off|auto, only with \
            --relay-core, because offloaded forwarding runs in softirq outside the relay process), ring-entries, \
            buffer-count, buffer-size and batch-size. Each trial starts `tandem relay --config FILE` with the \
            trial's flags, runs `perf rtp` at --rate for --duration, stops the relay. The best trial carries the \
            load (loss < --loss-threshold, p99 < --p99-bound-us) at the lowest CPU per 10k pps. \
            --strategy each (default) settles one knob at a time, starting from the relay's defaults and keeping \
            the best value of each knob before it moves to the next (about a dozen trials); --strategy grid tries \
            every combination.
            """
    )

    @Option(name: .customLong("relay-config"), help: "The relay's YAML config file (its ng address is read from it).")
    var relayConfig: String
    @Option(help: "tandem binary to start (default: this one).") var tandem: String?
    @Option(help: "Calls per trial.") var calls: Int = 200
    @Option(help: "Total pps per trial.") var rate: Double = 20_000
    @Option(help: "Sending seconds per trial.") var duration: Double = 4
    @Option(name: .customLong("max-seconds"), help: "Upper bound on the whole sweep.") var maxSeconds: Double = 120
    @Option(name: .customLong("local-address"), help: "Address the generator's sockets bind to.")
    var localAddress: String = "127.0.0.1"
    @Option(help: "Pin the generator to this CPU.") var cpu: Int?
    @Option(name: .customLong("relay-cpu"), help: "Pin the relay to this CPU (taskset).") var relayCPU: Int?
    @Option(name: .customLong("relay-core"), help: "Rank by this core's busy time (enables the kernel knob).") var relayCore: Int?
    @Option(name: .customLong("loss-threshold"), help: "Loss fraction a trial must stay below.") var lossThreshold: Double = 0.01
    @Option(name: .customLong("p99-bound-us"), help: "p99 latency bound in microseconds.") var p99BoundUs: Double = 10_000
    @Option(name: .customLong("only"), help: "Sweep only these knobs (comma-separated keys).") var only: String?
    @Option(help: "each (one knob at a time, default) or grid (every combination).") var strategy: String = "each"
    @Flag(help: "Print the report as JSON.") var json = false
    @Option(help: "Also write a report with plots (FILE.svg or FILE.html).") var report: String?
    @Flag(inversion: .prefixedNo, help: "Progress line on stderr (default: when stderr is a terminal).") var progress: Bool?

    func validate() throws {
        guard maxSeconds >= 5, maxSeconds <= 3600 else { throw ValidationError("--max-seconds must be 5...3600") }
        guard duration > 0, duration <= 60 else { throw ValidationError("--duration must be 0...60") }
        try PerfReportOption.validate(report)
        guard TuneSweepPlan.Strategy(rawValue: strategy) != nil else { throw ValidationError("--strategy must be each or grid") }
    }

    func run() throws {
        let options: RelayOptions
        do { options = try RelayConfigurationFile.load(path: relayConfig, over: RelayOptions()) } catch {
            throw ValidationError("\(error)")
        }
        guard let ng = PerfTuneCommand.ngEndpoint(options.listenNG.first ?? "") else {
            throw ValidationError("the config's listen-ng must be an IPv4 HOST:PORT or a port for perf tune")
        }
        var (knobs, missing) = TuneKnob.available(in: RelayConfigurationFile.keys)
        if relayCore == nil, let k = knobs.firstIndex(where: { $0.key == "kernel" }) {
            var held = knobs.remove(at: k)
            held.meaning += " — needs --relay-core (softirq CPU is invisible in the relay's own CPU)"
            missing.append(held)
        }
        if let only {
            let keys = only.split(separator: ",").map(String.init)
            knobs = knobs.filter { keys.contains($0.key) }
        }
        var w = RTPLoadConfiguration(relay: ng)
        w.calls = calls
        w.rate = rate
        w.durationSeconds = duration
        w.localAddress = localAddress
        w.cpu = cpu
        w.relayCore = relayCore
        if let problem = w.validationError() { throw ValidationError(problem) }
        if let cpu { try CPUAffinity.pinCurrentThread(to: cpu) }
        let binary = tandem ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        var runner = TuneRunner(tandem: binary, configFile: relayConfig, ng: ng, workload: w, knobs: knobs,
                                maxSeconds: maxSeconds, relayCPU: relayCPU,
                                logDirectory: "/tmp/tandem-perf-tune-\(getpid())")
        runner.criteria = TuneSelection.Criteria(lossThreshold: lossThreshold, p99BoundMicroseconds: p99BoundUs)
        runner.strategy = TuneSweepPlan.Strategy(rawValue: strategy) ?? .each
        let line = ProgressLine.make(enabled: progress)
        if !json {
            let planned = TuneSweepPlan.plannedTrials(knobs: knobs, strategy: runner.strategy)
            print("sweeping \(knobs.map { "\($0.key) {\($0.values.joined(separator: ","))}" }.joined(separator: " × ")) " +
                  "(\(strategy): up to \(planned) trials) " +
                  "with \(calls) calls at \(Int(rate)) pps for \(duration) s each, at most \(Int(maxSeconds)) s")
        }
        let result = runner.run(progress: line) { trial in
            guard !json else { return }
            line?.clear()
            print("trial \(trial.label): " + (trial.report.map {
                "\(Int($0.receivedPps)) pps, loss \(FixedPoint.format($0.lossFraction * 100, digits: 3))%, " +
                "p99 \(Int($0.latencyP99Microseconds)) µs, cost \(TuneSelection.cost($0).map { FixedPoint.format($0, digits: 2) } ?? "-")% per 10k pps"
            } ?? "failed: \(trial.error ?? "")"))
            fflush(nil)
        }
        if let report {
            try PerfReportBuilder.tune(result, missing: missing, command: PerfReportOption.commandLine()).write(to: report)
        }
        if json {
            print(try PerfJSON.encode(TuneOutput(report: result, notSwept: missing, bestYAML: result.yamlSnippet)))
        } else {
            print("")
            print(result.text(missing: missing))
        }
    }

    /// `HOST:PORT` or a bare port (loopback).
    static func ngEndpoint(_ text: String) -> IPv4Endpoint? {
        if let port = Int(text) { return IPv4Endpoint(host: "127.0.0.1", port: port) }
        guard var e = IPv4Endpoint(text) else { return nil }
        if e.host == "0.0.0.0", let local = IPv4Endpoint(host: "127.0.0.1", port: e.port) { e = local }
        return e
    }
}

/// `tandem perf tune --json`.
struct TuneOutput: Encodable {
    let report: TuneReport
    let notSwept: [TuneKnob]
    let bestYAML: String?
}
