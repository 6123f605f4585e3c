import ArgumentParser
import Foundation
import Perf

/// `tandem perf doctor`: is this host fit to run (and benchmark) the relay? One line per finding.
struct PerfDoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check io_uring, nftables, sysctls, buffers, limits, CPUs, NIC queues and tools; say what to fix."
    )

    @Option(name: .customLong("port-min"), help: "The relay's lowest media port.") var portMin: Int = 30000
    @Option(name: .customLong("port-max"), help: "The relay's highest media port.") var portMax: Int = 40000
    @Flag(name: .customLong("no-nft-probe"), help: "Do not create/remove a throw-away nftables table.")
    var noNFTProbe = false
    @Flag(help: "Print facts and findings as JSON.") var json = false

    /// Exit status: 0 all ok, 1 warnings, 2 failures — so scripts can gate a benchmark on it.
    func run() throws {
        let facts = HostFactCollector.collect(probeNFTables: !noNFTProbe)
        let doctor = HostDoctor(settings: HostDoctor.Settings(portMin: portMin, portMax: portMax))
        let findings = doctor.evaluate(facts)
        if json {
            print(try PerfJSON.encode(DoctorReport(settings: doctor.settings, facts: facts, findings: findings)))
        } else {
            findings.forEach { print($0) }
        }
        switch HostDoctor.worst(findings) {
        case .ok: return
        case .warn: throw ExitCode(1)
        case .fail: throw ExitCode(2)
        }
    }
}

/// The JSON shape of `tandem perf doctor --json`.
struct DoctorReport: Encodable {
    let settings: HostDoctor.Settings
    let facts: HostFacts
    let findings: [DoctorFinding]
}
