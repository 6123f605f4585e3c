import ArgumentParser
import Foundation
import Perf

/// `tandem perf rtp`: RTP load through any ng relay, or `--find-max` for the highest clean rate.
struct PerfRTPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rtp",
        abstract: "Set up calls over ng, send RTP through the relay both ways, report loss, latency and CPU."
    )

    @Option(help: "ng control address of the relay (HOST:PORT).") var relay: String = "127.0.0.1:2223"
    @Option(help: "Number of calls (two RTP streams each).") var calls: Int = 100
    @Option(help: "Total packets per second over all streams (default: real pace, 1000/ptime per stream).")
    var rate: Double?
    @Option(help: "Packetisation time in ms (real pace: 1000/ptime packets per second per direction).")
    var ptime: Int = 20
    @Option(name: .customLong("payload-size"), help: "RTP payload bytes (>= 32).") var payloadSize: Int = 160
    @Option(help: "Seconds of sending (max 600).") var duration: Double = 10
    @Option(help: "Pin the generator to this CPU.") var cpu: Int?
    @Option(help: "rtp: seconds of sending before the measured phase (lets kernel offload settle).") var warmup: Double = 0
    @Option(name: .customLong("relay-pid"), help: "Relay process id, for its CPU use.") var relayPID: Int32?
    @Option(name: .customLong("local-address"), help: "Address the generator's sockets bind to.")
    var localAddress: String = "127.0.0.1"
    @Option(name: .customLong("relay-core"), help: "CPU core the relay and its kernel forwarding run on, for its busy time.")
    var relayCore: Int?
    @Option(name: .customLong("generator-engine"),
            help: "How the generator moves packets: epoll (sendmmsg, recvmmsg), uring, or auto (uring when available).")
    var generatorEngine: RTPGeneratorEngine = .epoll
    @Flag(help: "Print the report as JSON.") var json = false
    @Option(name: .customLong("slow-log"),
            help: "Write the measured packets slower than --slow-log-us to FILE as CSV (send time, latency, stream).")
    var slowLog: String?
    @Option(name: .customLong("slow-log-us"), help: "Threshold of --slow-log in microseconds.") var slowLogUs: Int = 1000
    @Option(help: "Also write a report with plots (FILE.svg or FILE.html).") var report: String?
    @Flag(inversion: .prefixedNo, help: "Progress line on stderr (default: when stderr is a terminal).") var progress: Bool?

    @Flag(name: .customLong("find-max"), help: "Search the highest rate with loss < threshold and p99 < bound.")
    var findMax = false
    @Option(name: .customLong("loss-threshold"), help: "find-max: loss fraction a probe must stay below.")
    var lossThreshold: Double = 0.01
    @Option(name: .customLong("p99-bound-us"), help: "find-max: p99 latency bound in microseconds.")
    var p99BoundUs: Double = 10_000
    @Option(name: .customLong("max-probes"), help: "find-max: number of probes (each a fresh run).")
    var maxProbes: Int = 8
    @Option(name: .customLong("max-rate"), help: "find-max: ceiling in pps.") var maxRate: Double = 1_000_000

    func validate() throws {
        guard IPv4Endpoint(relay) != nil else { throw ValidationError("--relay must be IPv4-HOST:PORT") }
        guard (1...64).contains(maxProbes) else { throw ValidationError("--max-probes must be 1...64") }
        try PerfReportOption.validate(report)
    }

    func run() throws {
        guard let endpoint = IPv4Endpoint(relay) else { throw ValidationError("bad --relay") }
        var c = RTPLoadConfiguration(relay: endpoint)
        c.localAddress = localAddress
        c.calls = calls
        c.rate = rate
        c.ptimeMilliseconds = ptime
        c.payloadSize = payloadSize
        c.durationSeconds = duration
        c.cpu = cpu
        c.relayPID = relayPID
        c.relayCore = relayCore
        c.warmupSeconds = warmup
        c.generatorEngine = generatorEngine
        if slowLog != nil { c.slowPacketThresholdMicroseconds = max(1, slowLogUs) }
        if let problem = c.validationError() { throw ValidationError(problem) }
        if findMax {
            var finder = RTPMaxRateFinder(base: c, search: MaxRateSearch(start: c.targetRate, ceiling: maxRate,
                                                                         maxProbes: maxProbes))
            finder.lossThreshold = lossThreshold
            finder.p99BoundMicroseconds = p99BoundUs
            let line = ProgressLine.make(enabled: progress)
            let perProbe = c.durationSeconds + Double(c.drainMilliseconds) / 1000 + Double(c.calls) / 1500
            var probesDone = 0
            line?.prefix = "probe 1/\(maxProbes) (at most)"
            line?.extraSecondsLeft = Double(maxProbes - 1) * perProbe
            finder.progress = line?.sink
            let result = finder.run { probe in
                probesDone += 1
                line?.clear()
                line?.prefix = "probe \(probesDone + 1)/\(maxProbes) (at most)"
                line?.extraSecondsLeft = Double(max(0, maxProbes - probesDone - 1)) * perProbe
                if !json {
                    print("probe \(Int(probe.rate)) pps: \(probe.passed ? "PASS" : "FAIL") (\(probe.verdict))")
                    fflush(nil)
                }
            }
            line?.clear()
            if let report {
                try PerfReportBuilder.findMax(result, relay: relay, command: PerfReportOption.commandLine()).write(to: report)
            }
            if json {
                print(try PerfJSON.encode(result))
            } else {
                print("max rate: \(result.maxRate.map { "\(Int($0)) pps" } ?? "none passed")")
            }
            return
        }
        let line = ProgressLine.make(enabled: progress)
        var result = try RTPLoadGenerator(configuration: c, progress: line?.sink).run()
        line?.clear()
        if let slowLog, let packets = result.slowPackets {
            try SlowPacket.csv(packets).write(toFile: slowLog, atomically: true, encoding: .utf8)
            result.slowPackets = nil  // in the file, not in the JSON
        }
        if let report {
            try PerfReportBuilder.rtp(result, command: PerfReportOption.commandLine()).write(to: report)
        }
        print(json ? try PerfJSON.encode(result) : result.text())
    }
}

extension RTPGeneratorEngine: ExpressibleByArgument {}

/// Reports as pretty JSON with stable key order.
enum PerfJSON {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

extension RTPLoadGenerator.RunError: LocalizedError {
    public var errorDescription: String? { description }
}
