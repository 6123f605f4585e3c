import ArgumentParser
import Foundation
import Perf

/// `tandem perf ng`: control-plane throughput and latency of any ng relay.
struct PerfNGCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ng",
        abstract: "Offer + answer (+ delete) per call with a window of requests in flight; latency percentiles."
    )

    @Option(help: "ng control address of the relay (HOST:PORT).") var relay: String = "127.0.0.1:2223"
    @Option(name: .customLong("in-flight"), help: "Requests in flight.") var inFlight: Int = 16
    @Option(help: "Calls to run (0: until --duration ends).") var calls: Int = 0
    @Option(help: "Upper bound on the run in seconds (max 600).") var duration: Double = 10
    @Flag(name: .customLong("no-delete"), help: "Leave calls in the relay (offer + answer only).") var noDelete = false
    @Option(name: .customLong("timeout-ms"), help: "A request without a reply after this long is an error.")
    var timeoutMs: Int = 2000
    @Option(help: "Pin the client to this CPU.") var cpu: Int?
    @Option(name: .customLong("relay-pid"), help: "Relay process id, for its CPU use.") var relayPID: Int32?
    @Flag(help: "Print the report as JSON.") var json = false
    @Option(help: "Also write a report with plots (FILE.svg or FILE.html).") var report: String?
    @Flag(inversion: .prefixedNo, help: "Progress line on stderr (default: when stderr is a terminal).") var progress: Bool?

    func validate() throws {
        guard IPv4Endpoint(relay) != nil else { throw ValidationError("--relay must be IPv4-HOST:PORT") }
        guard (1...4096).contains(inFlight) else { throw ValidationError("--in-flight must be 1...4096") }
        guard calls >= 0 else { throw ValidationError("--calls must be >= 0") }
        guard duration > 0, duration <= 600 else { throw ValidationError("--duration must be 0...600") }
        try PerfReportOption.validate(report)
    }

    func run() throws {
        guard let endpoint = IPv4Endpoint(relay) else { throw ValidationError("bad --relay") }
        var c = NGLoadGenerator.Configuration(relay: endpoint)
        c.inFlight = inFlight
        c.calls = calls
        c.durationSeconds = duration
        c.deleteCalls = !noDelete
        c.timeoutMilliseconds = timeoutMs
        c.cpu = cpu
        c.relayPID = relayPID
        let line = ProgressLine.make(enabled: progress)
        let result = try NGLoadGenerator(configuration: c, progress: line?.sink).run()
        line?.clear()
        if let report {
            try PerfReportBuilder.ng(result, command: PerfReportOption.commandLine()).write(to: report)
        }
        print(json ? try PerfJSON.encode(result) : result.text())
    }
}
