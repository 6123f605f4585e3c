import ArgumentParser
import Foundation
import Perf

/// `tandem perf compare`: one workload against several ng relays in alternation, with ratios to the first.
struct PerfCompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run the same workload (rtp or ng) against two or more ng relays in alternation; report ratios.",
        discussion: """
            Targets: --target NAME=HOST:PORT[,pid=N][,core=N] (repeatable; the first is the baseline). pid samples the \
            relay process's CPU, core the busy time of the core it (and the kernel's forwarding) runs on. Every run \
            uses fresh calls. Example, Tandem vs rtpengine on one box:
              tandem perf compare --target tandem=127.0.0.1:2223,pid=$T --target rtpengine=127.0.0.1:2224,pid=$R \\
                --workload rtp --calls 1000 --rate 100000 --duration 10 --rounds 5 --cpu 0
            """
    )

    @Option(name: .customLong("target"), help: "NAME=HOST:PORT[,pid=N][,core=N] (at least two).") var targets: [String] = []
    @Option(help: "rtp or ng.") var workload: ComparisonRunner.Workload = .rtp
    @Option(help: "Rounds; each round runs every target once, in order (1-50).") var rounds: Int = 3
    @Option(help: "rtp: calls per run.") var calls: Int = 100
    @Option(help: "rtp: total pps (default: real pace, 1000/ptime per stream).") var rate: Double?
    @Option(help: "rtp: packetisation time in ms.") var ptime: Int = 20
    @Option(name: .customLong("payload-size"), help: "rtp: RTP payload bytes.") var payloadSize: Int = 160
    @Option(help: "Seconds per run (rtp: sending time; ng: upper bound).") var duration: Double = 5
    @Option(name: .customLong("in-flight"), help: "ng: requests in flight.") var inFlight: Int = 16
    @Option(name: .customLong("local-address"), help: "rtp: address the generator's sockets bind to.")
    var localAddress: String = "127.0.0.1"
    @Option(help: "Pin the generator to this CPU.") var cpu: Int?
    @Option(help: "rtp: seconds of sending before the measured phase (lets kernel offload settle).") var warmup: Double = 0
    @Flag(help: "Print the report as JSON.") var json = false
    @Option(help: "Also write a report with plots (FILE.svg or FILE.html).") var report: String?
    @Flag(inversion: .prefixedNo, help: "Progress line on stderr (default: when stderr is a terminal).") var progress: Bool?

    func validate() throws {
        guard targets.count >= 2 else { throw ValidationError("give at least two --target") }
        for t in targets where CompareTarget(argument: t) == nil {
            throw ValidationError("bad --target \(t): NAME=HOST:PORT[,pid=N][,core=N]")
        }
        guard (1...50).contains(rounds) else { throw ValidationError("--rounds must be 1...50") }
        guard duration > 0, duration <= 600 else { throw ValidationError("--duration must be 0...600") }
        guard (1...4096).contains(inFlight) else { throw ValidationError("--in-flight must be 1...4096") }
        try PerfReportOption.validate(report)
    }

    func run() throws {
        let parsed = targets.compactMap(CompareTarget.init(argument:))
        var r = RTPLoadConfiguration(relay: parsed[0].relay)
        r.calls = calls
        r.rate = rate
        r.ptimeMilliseconds = ptime
        r.payloadSize = payloadSize
        r.durationSeconds = duration
        r.localAddress = localAddress
        r.cpu = cpu
        r.warmupSeconds = warmup
        if workload == .rtp, let problem = r.validationError() { throw ValidationError(problem) }
        var n = NGLoadGenerator.Configuration(relay: parsed[0].relay)
        n.inFlight = inFlight
        n.durationSeconds = duration
        n.cpu = cpu
        if let cpu { try CPUAffinity.pinCurrentThread(to: cpu) }
        let runner = ComparisonRunner(targets: parsed, workload: workload, rounds: rounds, rtp: r, ng: n)
        let line = ProgressLine.make(enabled: progress)
        let result = runner.run(progress: line) { run in
            guard !json else { return }
            line?.clear()
            print("round \(run.round) \(run.target): " + PerfCompareCommand.oneLine(run))
            fflush(nil)
        }
        if let report {
            try PerfReportBuilder.compare(result, command: PerfReportOption.commandLine()).write(to: report)
        }
        if json { print(try PerfJSON.encode(result)) } else { print(""); print(result.text()) }
    }

    static func oneLine(_ run: ComparisonRun) -> String {
        if let e = run.error { return "failed: \(e)" }
        let f = { (v: Double?) in v.map { FixedPoint.format($0, digits: 1) } ?? "-" }
        if let r = run.rtp {
            return "\(Int(r.receivedPps)) pps received, loss \(FixedPoint.format(r.lossFraction * 100, digits: 3))%, " +
                "p99 \(f(r.latencyP99Microseconds)) µs" +
                (r.relayCPUPercentPer10kPps.map { ", relay CPU \(f($0))% per 10k pps" } ?? "") +
                (r.relayCorePercentPer10kPps.map { ", relay core \(f($0))% per 10k pps" } ?? "") +
                (r.generatorBound ? " (generator-bound)" : "")
        }
        if let g = run.ng {
            return "\(f(g.callsPerSecond)) calls/s, \(g.callsFailed) failed, p99 " +
                "\(f(g.latency.first { $0.command == "all" }?.p99Microseconds)) µs"
        }
        return "no result"
    }
}

extension ComparisonRunner.Workload: ExpressibleByArgument {}

/// `--report FILE.svg|.html`, shared by the commands that write one.
enum PerfReportOption {
    static func validate(_ path: String?) throws {
        guard let path else { return }
        let lower = path.lowercased()
        guard lower.hasSuffix(".svg") || lower.hasSuffix(".html") || lower.hasSuffix(".htm") else {
            throw ValidationError("--report must end in .svg or .html")
        }
    }

    /// The command as typed, for the report's header (so a figure always names the command that made it).
    static func commandLine() -> String {
        "tandem " + CommandLine.arguments.dropFirst().map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
    }
}

extension ReportDocument.WriteError: LocalizedError {
    public var errorDescription: String? { description }
}
