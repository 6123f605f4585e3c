import ArgumentParser
import Foundation
import Perf

/// `tandem perf sip`: SIP load through any proxy with SIPp and the scenarios in perf/sip.
struct PerfSIPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sip",
        abstract: "REGISTER or INVITE…BYE load through a SIP proxy with SIPp; rate, failures, response times, proxy CPU."
    )

    @Argument(help: "register | calls") var scenario: SIPLoadConfiguration.Scenario = .register
    @Option(help: "The proxy under test (HOST:PORT).") var proxy: String = "127.0.0.1:5060"
    @Option(help: "Calls (REGISTERs) per second.") var rate: Double = 500
    @Option(help: "Upper bound on the run in seconds (max 600).") var duration: Double = 10
    @Option(name: [.customShort("m"), .customLong("max-calls")], help: "At most this many calls.") var maxCalls: Int?
    @Option(help: "Users in the generated users.csv (register).") var users: Int = 10_000
    @Option(help: "Domain of the users.") var domain: String = "example.com"
    @Option(name: .customLong("local-address"), help: "SIPp's address.") var localAddress: String = "127.0.0.1"
    @Option(name: .customLong("local-port"), help: "SIPp UAC's port.") var localPort: Int = 5090
    @Option(name: .customLong("uas-port"), help: "Port of the SIPp UAS this command starts (calls).") var uasPort: Int = 5080
    @Option(name: .customLong("uas"), help: "Use a UAS already running at HOST:PORT instead of starting one (calls).")
    var uas: String?
    @Option(name: .customLong("hold-ms"), help: "Hold time between ACK and BYE (calls).") var holdMs: Int = 0
    @Option(help: "Pin SIPp to this CPU (taskset).") var cpu: Int?
    @Option(name: .customLong("proxy-pid"), help: "Proxy process id, for its CPU use.") var proxyPID: Int32?
    @Option(help: "SIPp binary.") var sipp: String = "sipp"
    @Option(help: "Folder with the scenarios (default: perf/sip of this checkout).") var scenarios: String?
    @Option(name: .customLong("work-dir"), help: "Where users.csv and SIPp's files go.") var workDir: String?
    @Flag(name: .customLong("find-max"), help: "Search the highest sustained rate (no failures, ≥ 95 % of target).")
    var findMax = false
    @Option(name: .customLong("rate-max"), help: "Ceiling of --find-max.") var rateMax: Double = 20_000
    @Option(name: .customLong("max-probes"), help: "Runs of --find-max.") var maxProbes: Int = 6
    @Flag(help: "Print the report as JSON.") var json = false

    func validate() throws {
        guard rate > 0, rate <= 100_000 else { throw ValidationError("--rate must be 0...100000") }
        guard duration > 0, duration <= 600 else { throw ValidationError("--duration must be 0...600") }
        guard users > 0, users <= 10_000_000 else { throw ValidationError("--users must be 1...10000000") }
        guard maxCalls.map({ $0 > 0 }) ?? true else { throw ValidationError("-m must be > 0") }
        guard holdMs >= 0 else { throw ValidationError("--hold-ms must be >= 0") }
        guard proxy.contains(":") else { throw ValidationError("--proxy must be HOST:PORT") }
    }

    func run() throws {
        guard let directory = scenarios ?? PerfSIPCommand.findScenarioDirectory() else {
            throw ValidationError("perf/sip not found next to the binary or the current directory: pass --scenarios")
        }
        var c = SIPLoadConfiguration(scenario: scenario, proxy: proxy, scenarioDirectory: directory,
                                     workDirectory: workDir ?? "/tmp/tandem-perf-sip-\(getpid())")
        c.rate = rate
        c.durationSeconds = duration
        c.maxCalls = maxCalls
        c.users = users
        c.domain = domain
        c.localAddress = localAddress
        c.localPort = localPort
        c.uasPort = uasPort
        c.uasAddress = uas
        c.startUAS = uas == nil
        c.holdMilliseconds = holdMs
        c.sippCPU = cpu
        c.proxyPID = proxyPID
        c.sipp = sipp
        if findMax {
            try runFindMax(c)
            return
        }
        let report = try SIPLoadRunner(configuration: c).run()
        print(json ? try PerfJSON.encode(report) : report.text())
    }

    /// Doubling from --rate, then bisection; every probe a fresh SIPp run of --duration.
    private func runFindMax(_ base: SIPLoadConfiguration) throws {
        var reports: [SIPLoadReport] = []
        let search = MaxRateSearch(start: base.rate, ceiling: rateMax, maxProbes: maxProbes)
        let result = try search.run { (rate: Double) throws(SIPLoadRunner.RunError) -> Bool in
            var c = base
            c.rate = rate
            let report = try SIPLoadRunner(configuration: c).run()
            reports.append(report)
            if !json {
                print("probe \(Int(rate))/s: \(report.sustained ? "PASS" : "FAIL") "
                    + "(achieved \(Int(report.statistics.callRate))/s, \(report.statistics.failedCalls) failed)")
                fflush(nil)
            }
            return report.sustained
        }
        if json {
            print(try PerfJSON.encode(SIPMaxRateReport(maxRate: result.bestRate, probes: reports)))
        } else {
            print("max sustained rate: \(result.bestRate.map { "\(Int($0))/s" } ?? "none passed")")
        }
    }

    /// perf/sip of the checkout the binary was built in (.build/<config>/tandem → ../../perf/sip), else of the
    /// current directory.
    static func findScenarioDirectory() -> String? {
        var candidates: [URL] = []
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(folder.appendingPathComponent("perf/sip"))
            folder = folder.deletingLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("perf/sip"))
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("register.xml").path) }?.path
    }
}

/// `tandem perf sip --find-max --json`.
struct SIPMaxRateReport: Encodable {
    let maxRate: Double?
    let probes: [SIPLoadReport]
}

extension SIPLoadConfiguration.Scenario: ExpressibleByArgument {}

extension SIPLoadRunner.RunError: LocalizedError {
    public var errorDescription: String? { description }
}
