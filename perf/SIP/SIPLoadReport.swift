/// The result of one `tandem perf sip` run: SIPp's own accounting plus response-time percentiles and proxy CPU.
public struct SIPLoadReport: Sendable, Hashable, Codable {
    public var scenario: SIPLoadConfiguration.Scenario
    public var proxy: String
    public var targetRate: Double
    public var callLimit: Int
    public var statistics: SIPpStatistics
    /// Nil when SIPp wrote no RTT file (no transaction finished).
    public var responseTimes: SIPpResponseTimes?
    /// Proxy CPU over the run: 100 = one core busy.
    public var proxyCPUPercent: Double?
    /// Proxy CPU per 1000 calls (REGISTERs) per second achieved: the cost figure that compares proxies.
    public var proxyCPUPercentPer1kPerSecond: Double?
    /// CPU of the SIPp UAC over the run (100 = one core). The UAS (calls) shares its core but is not counted.
    public var sippCPUPercent: Double?
    public var sippExitStatus: Int32
    public var workDirectory: String

    /// Calls neither successful nor failed when SIPp ended: still waiting when the run hit its time bound.
    public var openCalls: Int {
        max(0, statistics.totalCalls - statistics.successfulCalls - statistics.failedCalls)
    }

    /// A run counts as sustained when nothing failed or hung and SIPp kept ≥ 95 % of the target rate.
    public var sustained: Bool {
        statistics.failedCalls == 0 && openCalls == 0 && statistics.successfulCalls > 0
            && statistics.callRate >= 0.95 * targetRate
    }

    /// The load generator, not the proxy, set the pace: SIPp's UAC used ≥ 90 % of a core. On a 2-core box with
    /// SIPp pinned to one core this is the usual ceiling of a fast proxy; the proxy's CPU per 1k/s still compares.
    public var generatorBound: Bool { (sippCPUPercent ?? 0) >= 90 }

    public func text() -> String {
        let s = statistics
        let unit = scenario == .register ? "REGISTER" : "calls"
        var lines = [
            "\(scenario.rawValue) via \(proxy): target \(format(targetRate))/s, \(s.totalCalls) of \(callLimit) \(unit) "
                + "in \(format(s.elapsedSeconds)) s",
            "achieved \(format(s.callRate))/s: \(s.successfulCalls) successful, \(s.failedCalls) failed, "
                + "\(s.retransmissions) retransmissions\(sustained ? "" : " — NOT sustained")",
        ]
        if openCalls > 0 {
            lines.append("\(openCalls) calls still open when SIPp was stopped at the time bound")
        }
        if !s.failures.isEmpty {
            lines.append("failures: " + s.failures.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                .joined(separator: ", "))
        }
        for (name, p) in (responseTimes?.timers ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append("response \(name): p50 \(format(p.p50Milliseconds)) ms, p90 \(format(p.p90Milliseconds)) ms, "
                + "p99 \(format(p.p99Milliseconds)) ms, max \(format(p.maxMilliseconds)) ms (\(p.samples) samples)")
        }
        if let cpu = proxyCPUPercent {
            let per = proxyCPUPercentPer1kPerSecond.map { ", \(format($0)) % per 1k/s" } ?? ""
            lines.append("proxy CPU \(format(cpu)) %\(per)")
        }
        if let sipp = sippCPUPercent {
            lines.append("SIPp UAC CPU \(format(sipp)) %\(generatorBound ? " — generator-bound" : "")")
        }
        lines.append("SIPp exit \(sippExitStatus); files in \(workDirectory)")
        return lines.joined(separator: "\n")
    }

    private func format(_ value: Double) -> String {
        let scaled = (value * 10).rounded() / 10
        return scaled == scaled.rounded() ? String(Int(scaled)) : String(scaled)
    }
}
