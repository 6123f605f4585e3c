import ArgumentParser
import Foundation
import Perf

/// `tandem perf tick`: how long the relay's once-a-second clock holds the control thread with many idle calls
/// (run a release build). See `SessionTickBenchmark`.
struct PerfTickCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tick",
        abstract: "Microseconds per session-table clock tick (and per full report refresh) with N idle calls."
    )

    @Option(help: "Comma-separated call counts.")
    var calls: String = "2000,10000"

    @Option(help: "Time budget per measurement, in seconds (0.1-60).")
    var seconds: Double = 2

    func run() throws {
        #if DEBUG
        print("warning: this is a debug build; benchmark figures come from `swift build -c release` only")
        #endif
        let benchmark = SessionTickBenchmark(maxSeconds: min(max(seconds, 0.1), 60))
        print("| idle calls | tick + statistics (µs) | one report per stream (µs) |")
        print("|---:|---:|---:|")
        for count in calls.split(separator: ",").compactMap({ Int($0) }) where count > 0 && count <= 20_000 {
            let result = benchmark.run(calls: count)
            print("| \(count) | \(String(format: "%.1f", result.tickMicroseconds)) | "
                  + "\(String(format: "%.1f", result.reportAllMicroseconds)) |")
        }
    }
}
