/// The outcome of one RTP load run, in the units a reader compares relays by.
public struct RTPLoadReport: Sendable, Codable {
    public var relay: String
    public var callsRequested: Int
    public var callsEstablished: Int
    public var setupErrors: Int
    public var setupSeconds: Double
    public var teardownErrors: Int
    public var ngErrorSamples: [String]

    public var targetPps: Double
    public var sendSeconds: Double
    public var sent: UInt64
    public var sendErrors: UInt64
    /// Packets the pacer had to skip because the generator fell behind.
    public var skipped: UInt64
    public var delivered: UInt64
    public var lost: UInt64
    public var lossFraction: Double
    public var duplicates: UInt64
    public var misrouted: UInt64
    public var foreign: UInt64
    public var sentPps: Double
    public var receivedPps: Double

    public var latencyP50Microseconds: Double
    public var latencyP99Microseconds: Double
    public var latencyP999Microseconds: Double
    public var latencyMaxMicroseconds: Double
    public var jitterMeanMicroseconds: Double
    public var jitterMaxMicroseconds: Double

    /// Relay CPU in cores (1.0 = one core busy) over the sending phase, when a PID was given.
    public var relayCPUCores: Double?
    /// Relay CPU in percent of one core per 10k packets per second received by the relay (= sent rate).
    public var relayCPUPercentPer10kPps: Double?
    /// Busy fraction of `--relay-core` over the sending phase: the relay's process and the kernel's forwarding.
    public var relayCoreBusy: Double? = nil
    /// `relayCoreBusy` in percent of the core per 10k pps sent.
    public var relayCorePercentPer10kPps: Double? = nil
    /// irq + softirq fraction of `--relay-core` (the kernel's packet work there) over the sending phase.
    public var relayCoreSoftirq: Double? = nil
    /// Relay process CPU plus the relay core's irq + softirq, in percent of a core per 10k pps: the forwarding
    /// cost whether it runs in the daemon or in the kernel, without the other processes a shared core runs.
    public var relayForwardingPercentPer10kPps: Double? = nil
    /// CDF and histogram of one-way latency, for plots.
    public var latencyDistribution: LatencyDistribution? = nil
    /// Measured packets slower than `--slow-log-us` (empty unless asked), for `--slow-log FILE`.
    public var slowPackets: [SlowPacket]? = nil
    public var generatorCPUCores: Double
    /// The engine the generator used (`auto` resolved), nil in reports of older builds.
    public var generatorEngine: RTPGeneratorEngine? = nil
    /// io_uring engine: receives re-armed because its buffers ran out, and receives that ended with an error.
    public var generatorReceiveRearms: UInt64? = nil
    public var generatorReceiveErrors: UInt64? = nil
    /// True when the figures describe the generator, not the relay.
    public var generatorBound: Bool
    public var generatorBoundReason: String?

    /// Human-readable lines.
    public func text() -> String {
        func f(_ v: Double, _ digits: Int = 1) -> String {
            FixedPoint.format(v, digits: digits)
        }
        var lines: [String] = []
        lines.append("relay \(relay): \(callsEstablished)/\(callsRequested) calls set up in \(f(setupSeconds, 2)) s" +
                     (setupErrors > 0 ? ", \(setupErrors) setup errors" : ""))
        lines.append("target \(f(targetPps, 0)) pps for \(f(sendSeconds, 2)) s: sent \(sent) (\(f(sentPps, 0)) pps), " +
                     "received \(delivered) (\(f(receivedPps, 0)) pps)")
        lines.append("loss \(lost) (\(f(lossFraction * 100, 3))%), duplicates \(duplicates), misrouted \(misrouted), " +
                     "foreign \(foreign), send errors \(sendErrors), skipped \(skipped)")
        lines.append("latency us p50 \(f(latencyP50Microseconds)) p99 \(f(latencyP99Microseconds)) " +
                     "p99.9 \(f(latencyP999Microseconds)) max \(f(latencyMaxMicroseconds)); " +
                     "jitter us mean \(f(jitterMeanMicroseconds)) max \(f(jitterMaxMicroseconds))")
        var cpu = "generator CPU \(f(generatorCPUCores * 100))%" + (generatorEngine.map { " (\($0.rawValue))" } ?? "")
        if let r = generatorReceiveRearms, r > 0 { cpu += ", receive re-arms \(r)" }
        if let e = generatorReceiveErrors, e > 0 { cpu += ", receive errors \(e)" }
        if let r = relayCPUCores { cpu += ", relay CPU \(f(r * 100))%" }
        if let p = relayCPUPercentPer10kPps { cpu += " (\(f(p, 2))% of a core per 10k pps)" }
        if let b = relayCoreBusy { cpu += ", relay core busy \(f(b * 100))%" }
        if let p = relayCorePercentPer10kPps { cpu += " (\(f(p, 2))% per 10k pps)" }
        if let p = relayForwardingPercentPer10kPps { cpu += "; relay + softirq \(f(p, 2))% per 10k pps" }
        lines.append(cpu)
        if teardownErrors > 0 { lines.append("teardown errors \(teardownErrors)") }
        for e in ngErrorSamples { lines.append("ng error: \(e)") }
        if generatorBound { lines.append("WARNING: generator is the bottleneck: \(generatorBoundReason ?? "")") }
        return lines.joined(separator: "\n")
    }
}

/// Fixed-point number formatting for reports, without Foundation.
public enum FixedPoint {
    public static func format(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<max(0, digits) { scale *= 10 }
        let rounded = (Swift.abs(value) * scale).rounded()
        let whole = UInt64(Swift.min(rounded / scale, 1e18).rounded(.down))
        let frac = UInt64(Swift.max(0, Swift.min(rounded - Double(whole) * scale, 1e18)))
        var s = (value < 0 && rounded > 0 ? "-" : "") + String(whole)
        if digits > 0 {
            let f = String(frac)
            s += "." + String(repeating: "0", count: Swift.max(0, digits - f.count)) + f
        }
        return s
    }
}
