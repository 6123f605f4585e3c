import ArgumentParser
import Foundation
import Perf

/// `tandem perf codecs`: parses per second of SIP, SDP and ng messages on one core (run a release build).
struct PerfCodecsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codecs",
        abstract: "Parses per second of a SIP INVITE with SDP, a REGISTER, a 200 OK, an SDP body and an ng offer."
    )

    @Option(help: "Time budget per case, in seconds (1-60).")
    var seconds: Double = 2

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let budget = min(max(seconds, 0.1), 60)
        let results = CodecBenchmarkSuite(runner: MicroBenchmark(maxSeconds: budget)).run()
        if json {
            let rows = results.map { r in
                "{\"case\":\"\(r.name)\",\"best_per_s\":\(Int(r.bestBatchOpsPerSecond)),\"mean_per_s\":\(Int(r.meanOpsPerSecond)),\"iterations\":\(r.iterations)}"
            }
            print("[" + rows.joined(separator: ",") + "]")
            return
        }
        #if DEBUG
        print("warning: this is a debug build; benchmark figures come from `swift build -c release` only")
        #endif
        print("| case | best batch /s | mean /s | iterations |")
        print("|---|---:|---:|---:|")
        for r in results {
            print("| \(r.name) | \(Int(r.bestBatchOpsPerSecond)) | \(Int(r.meanOpsPerSecond)) | \(r.iterations) |")
        }
    }
}
