import ArgumentParser
import Foundation
import Relay

/// `tandem perf kernel-install`: how fast the kernel path's netlink install is, without ng, media or latching in
/// the way (issue 4's "install rate ≥ 10k streams/s"). Run it as root inside a throw-away network namespace
/// (`ip netns exec NS tandem perf kernel-install`): it creates its own table there and deletes it at the end.
///
/// It times `KernelForwarder.install` of synthetic legs in batches of `--batch` (the relay installs whatever one
/// offload check found, one batch each), then one `readCounters()` dump of all of them (the relay's once-a-second
/// read) and one `remove` of all of them.
struct PerfKernelInstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel-install",
        abstract: "Stream directions per second installed into the kernel path's nftables table (netlink only)."
    )

    @Option(help: "Stream directions (map elements in leg_mark) to install, 1-60000.") var entries: Int = 10_000
    @Option(help: "Directions per install call (one netlink transaction each).") var batch: Int = 1000
    @Option(help: "nftables table name (created and deleted).") var table: String = "tandem_install_bench"
    @Option(help: "Extra timed reads of the relay's counter fold (`forEachLegCounter`), reported as median and min.")
    var dumps: Int = 5

    func validate() throws {
        guard (1...60_000).contains(entries) else { throw ValidationError("--entries must be 1-60000") }
        guard batch >= 1 else { throw ValidationError("--batch must be positive") }
        guard (1...10_000).contains(dumps) else { throw ValidationError("--dumps must be 1-10000") }
    }

    func run() throws {
        #if DEBUG
        print("warning: this is a debug build; benchmark figures come from `swift build -c release` only")
        #endif
        let forwarder = try KernelForwarder(configuration: KernelForwarderConfiguration(tableName: table))
        try forwarder.createTable()
        defer { try? forwarder.removeTable() }
        let legs = (0..<entries).map(PerfKernelInstallCommand.syntheticEntry)
        let clock = ContinuousClock()
        let sendsBefore = forwarder.netlinkSendCalls
        var slowest = Duration.zero
        let install = try clock.measure {
            var start = 0
            while start < legs.count {
                let end = min(start + batch, legs.count)
                let one = try clock.measure { try forwarder.install(Array(legs[start..<end])) }
                slowest = max(slowest, one)
                start = end
            }
        }
        let sends = forwarder.netlinkSendCalls - sendsBefore
        var counted = 0
        let read = try clock.measure { counted = try forwarder.readCounters().count }
        // The relay's own read: the same dump folded by mark (no key or dictionary per element), repeated so that a
        // profiler (`perf record -p`) sees enough of it to split kernel and user time.
        var folds: [Duration] = []
        for _ in 0..<dumps {
            folds.append(try clock.measure { _ = try forwarder.forEachLegCounter { _, _, _ in } })
        }
        folds.sort()
        let remove = try clock.measure { try forwarder.remove(legs.map(\.key)) }
        func ms(_ d: Duration) -> String { String(format: "%.1f", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1e3) }
        let seconds = Double(install.components.seconds) + Double(install.components.attoseconds) / 1e18
        print("| directions | batch | install (ms) | directions/s | slowest batch (ms) | sendto calls | counter dump (ms, \(counted) read) | "
              + "relay fold, median / min of \(dumps) (ms) | remove all (ms) |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        print("| \(entries) | \(batch) | \(ms(install)) | \(String(format: "%.0f", Double(entries) / max(seconds, 1e-9))) | "
              + "\(ms(slowest)) | \(sends) | \(ms(read)) | \(ms(folds[folds.count / 2])) / \(ms(folds[0])) | \(ms(remove)) |")
    }

    /// Leg `index`: distinct peers and relay ports in TEST-NET-2/3 style ranges, nothing routable behind them.
    static func syntheticEntry(_ index: Int) -> KernelStreamEntry {
        let host = UInt8(index % 250 + 1)
        let block = UInt8(index / 250 % 250)
        let key = KernelStreamKey(peer: .ipv4(10, 78, block, host, port: UInt16(20000 + index % 40000)),
                                  local: .ipv4(10, 77, 40, 1, port: UInt16(1024 + index % 60000)))
        return KernelStreamEntry(key: key, source: .ipv4(10, 77, 40, 1, port: UInt16(1024 + (index + 1) % 60000)),
                                 destination: .ipv4(10, 79, block, host, port: UInt16(40000 + index % 20000)))
    }
}
