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
    @Option(name: .customLong("relay-pid"), help: "Relay process id, for its CPU use.") var relayPID: Int32?
    @Option(name: .customLong("local-address"), help: "Address the generator's sockets bind to.")
    var localAddress: String = "127.0.0.1"
    @Flag(help: "Print the report as JSON.") var json = false

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
        if let problem = c.validationError() { throw ValidationError(problem) }
        if findMax {
            var finder = RTPMaxRateFinder(base: c, search: MaxRateSearch(start: c.targetRate, ceiling: maxRate,
                                                                         maxProbes: maxProbes))
            finder.lossThreshold = lossThreshold
            finder.p99BoundMicroseconds = p99BoundUs
            let result = finder.run { probe in
                if !json {
                    print("probe \(Int(probe.rate)) pps: \(probe.passed ? "PASS" : "FAIL") (\(probe.verdict))")
                    fflush(nil)
                }
            }
            if json {
                print(try PerfJSON.encode(result))
            } else {
                print("max rate: \(result.maxRate.map { "\(Int($0)) pps" } ?? "none passed")")
            }
            return
        }
        let report = try RTPLoadGenerator(configuration: c).run()
        print(json ? try PerfJSON.encode(report) : report.text())
    }
}

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
