/// `tandem perf compare`: the same workload against several ng targets in alternation — round 1: A B (C …),
/// round 2: A B … — with fresh calls in every run (rtpengine disables a call's sockets after an overload, and a
/// relay's warm tables would favour whoever runs second).
public struct ComparisonRunner: Sendable {
    public enum Workload: String, Sendable, Codable, CaseIterable {
        case rtp
        case ng
    }

    public var targets: [CompareTarget]
    public var workload: Workload
    public var rounds: Int
    /// The RTP run; `relay`, `relayPID` and `relayCore` are replaced per target.
    public var rtp: RTPLoadConfiguration
    /// The ng run; `relay` and `relayPID` are replaced per target.
    public var ng: NGLoadGenerator.Configuration
    /// Pause between runs, so one relay's backlog does not spill into the next run.
    public var pauseSeconds: Double = 0.5

    public init(targets: [CompareTarget], workload: Workload, rounds: Int, rtp: RTPLoadConfiguration,
                ng: NGLoadGenerator.Configuration) {
        self.targets = targets
        self.workload = workload
        self.rounds = max(1, rounds)
        self.rtp = rtp
        self.ng = ng
    }

    /// Rough wall time of one run: set-up and teardown of the calls plus the sending and drain time.
    public var secondsPerRun: Double {
        switch workload {
        case .rtp: return rtp.durationSeconds + Double(rtp.drainMilliseconds) / 1000 + Double(rtp.calls) / 1500 + pauseSeconds
        case .ng: return ng.durationSeconds + pauseSeconds
        }
    }

    /// Runs every round; `progress` sees live samples and `finished` each run as it ends.
    public func run(progress: ProgressLine? = nil, finished: (ComparisonRun) -> Void = { _ in }) -> ComparisonReport {
        var runs: [ComparisonRun] = []
        let total = rounds * targets.count
        for round in 1...rounds {
            for target in targets {
                let done = runs.count
                progress?.prefix = "round \(round)/\(rounds) \(target.name)"
                progress?.extraSecondsLeft = Double(total - done - 1) * secondsPerRun
                let sink = progress?.sink
                var run = ComparisonRun(target: target.name, round: round)
                switch workload {
                case .rtp:
                    var c = rtp
                    c.relay = target.relay
                    c.relayPID = target.pid
                    c.relayCore = target.core
                    do { run.rtp = try RTPLoadGenerator(configuration: c, progress: sink).run() } catch {
                        run.error = error.description
                    }
                case .ng:
                    var c = ng
                    c.relay = target.relay
                    c.relayPID = target.pid
                    do { run.ng = try NGLoadGenerator(configuration: c, progress: sink).run() } catch {
                        run.error = error.description
                    }
                }
                runs.append(run)
                finished(run)
                if pauseSeconds > 0 { ComparisonRunner.sleep(seconds: pauseSeconds) }
            }
        }
        progress?.clear()
        return ComparisonReport(workload: workload, targets: targets.map(\.name), rounds: rounds, runs: runs)
    }

    static func sleep(seconds: Double) {
        var ts = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        nanosleep(&ts, nil)
    }
}

#if canImport(Glibc)
import Glibc
#endif
