import Foundation

/// Runs SIPp with the shipped scenarios and collects a `SIPLoadReport`. The only process-spawning part of the
/// SIP load tools; parsing lives in `SIPpStatistics` / `SIPpResponseTimes` so it is testable without SIPp.
public struct SIPLoadRunner: Sendable {
    public enum RunError: Error, Sendable, CustomStringConvertible {
        case scenarioMissing(String)
        case launchFailed(String)
        /// SIPp ended without a usable statistics file: its exit status and the end of its output.
        case noStatistics(status: Int32, output: String)
        case statistics(SIPpStatistics.ParseError)

        public var description: String {
            switch self {
            case .scenarioMissing(let path): return "scenario file missing: \(path)"
            case .launchFailed(let why): return "cannot start sipp: \(why)"
            case .noStatistics(let status, let output): return "sipp exited \(status) without statistics:\n\(output)"
            case .statistics(let error): return "\(error)"
            }
        }
    }

    public var configuration: SIPLoadConfiguration

    public init(configuration: SIPLoadConfiguration) {
        self.configuration = configuration
    }

    public func run() throws(RunError) -> SIPLoadReport {
        let c = configuration
        let files = FileManager.default
        try? files.createDirectory(atPath: c.workDirectory, withIntermediateDirectories: true)
        for name in [c.scenario.uacFile] + (c.scenario == .calls && c.startUAS ? ["uas-calls.xml"] : []) {
            let path = c.scenarioDirectory + "/" + name
            guard files.fileExists(atPath: path) else { throw .scenarioMissing(path) }
        }
        // A previous run's files in the same directory must not be read as this run's.
        if let old = try? files.contentsOfDirectory(atPath: c.workDirectory) {
            for name in old where name == "stat.csv" || name.hasSuffix("_rtt.csv") || name.hasSuffix(".log") {
                try? files.removeItem(atPath: c.workDirectory + "/" + name)
            }
        }
        if c.scenario == .register {
            let csv = SIPpUsersCSV.make(count: c.users, domain: c.domain)
            do {
                try csv.write(toFile: c.workDirectory + "/users.csv", atomically: true, encoding: .utf8)
            } catch {
                throw .launchFailed("writing users.csv: \(error)")
            }
        }

        var uas: Process?
        if c.scenario == .calls && c.startUAS {
            uas = try launch(c.uasArguments(), output: c.workDirectory + "/uas.out")
            Thread.sleep(forTimeInterval: 0.3)  // let the UAS bind before the first INVITE
        }
        defer { if let uas { stop(uas) } }

        let sampler = c.proxyPID.map { ProcessTreeCPUSampler(pid: $0) }
        let cpuBefore = sampler?.cpuSeconds()
        let started = Date()
        let childrenBefore = SIPLoadRunner.reapedChildrenCPUSeconds()
        let uac = try launch(c.uacArguments(), output: c.workDirectory + "/uac.out")
        // SIPp's -timeout stops new calls but still waits for open ones (up to Timer B, 32 s, per transaction):
        // past the bound plus 2 s it is stopped; the periodic -fd 1 rows still hold the figures so far.
        let deadline = Date().addingTimeInterval(Double(c.sippTimeoutSeconds) + 2)
        while uac.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        stop(uac)
        let wall = Date().timeIntervalSince(started)
        let cpuAfter = sampler?.cpuSeconds()
        // The UAC is reaped by now (the UAS is not): the children's rusage delta is the UAC's CPU.
        let sippCPU = wall > 0 ? (SIPLoadRunner.reapedChildrenCPUSeconds() - childrenBefore) / wall * 100 : nil

        let status = uac.terminationStatus
        guard let statText = try? String(contentsOfFile: c.workDirectory + "/stat.csv", encoding: .utf8) else {
            throw .noStatistics(status: status, output: tail(c.workDirectory + "/uac.out"))
        }
        let statistics: SIPpStatistics
        do {
            statistics = try SIPpStatistics(csv: statText)
        } catch {
            throw .statistics(error)
        }
        let rttName = (try? files.contentsOfDirectory(atPath: c.workDirectory))?
            .first { $0.hasSuffix("_rtt.csv") }
        let responseTimes = rttName
            .flatMap { try? String(contentsOfFile: c.workDirectory + "/" + $0, encoding: .utf8) }
            .map(SIPpResponseTimes.init(csv:))

        var cpuPercent: Double?
        if let before = cpuBefore, let after = cpuAfter, wall > 0 { cpuPercent = (after - before) / wall * 100 }
        let per1k = cpuPercent.flatMap { cpu in statistics.callRate > 0 ? cpu / (statistics.callRate / 1000) : nil }
        return SIPLoadReport(scenario: c.scenario, proxy: c.proxy, targetRate: c.rate, callLimit: c.callLimit,
                             statistics: statistics, responseTimes: responseTimes, proxyCPUPercent: cpuPercent,
                             proxyCPUPercentPer1kPerSecond: per1k, sippCPUPercent: sippCPU, sippExitStatus: status,
                             workDirectory: c.workDirectory)
    }

    /// Starts SIPp (under taskset when a CPU is given) in the work directory, output to a file.
    private func launch(_ arguments: [String], output: String) throws(RunError) -> Process {
        let c = configuration
        let process = Process()
        if let cpu = c.sippCPU {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
            process.arguments = ["-c", String(cpu), c.sipp] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: resolve(c.sipp))
            process.arguments = arguments
        }
        process.currentDirectoryURL = URL(fileURLWithPath: c.workDirectory)
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let handle = FileHandle(forWritingAtPath: output)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .launchFailed("\(error)")
        }
        return process
    }

    /// User + system CPU of all reaped children of this process (`RUSAGE_CHILDREN`).
    static func reapedChildrenCPUSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_CHILDREN.rawValue, &usage) == 0 else { return 0 }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// SIGTERM, then SIGKILL after 2 s.
    private func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<20 where process.isRunning { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    private func resolve(_ program: String) -> String {
        program.contains("/") ? program : (HostFactCollector.which(program) ?? "/usr/bin/\(program)")
    }

    private func tail(_ path: String) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(15).joined(separator: "\n")
    }
}
