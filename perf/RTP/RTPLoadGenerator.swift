import CShims

/// One RTP load run against an ng relay: set up the calls, send and receive for the configured time, tear the
/// calls down, and report. Runs on the calling thread (pinned when `cpu` is set).
public struct RTPLoadGenerator: Sendable {
    public var configuration: RTPLoadConfiguration

    /// Sees a sample about twice a second during the media phase (the live progress line).
    public var progress: (@Sendable (LoadProgress) -> Void)?

    public init(configuration: RTPLoadConfiguration, progress: (@Sendable (LoadProgress) -> Void)? = nil) {
        self.configuration = configuration
        self.progress = progress
    }

    public struct RunError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public func run() throws(RunError) -> RTPLoadReport {
        if let problem = configuration.validationError() { throw RunError(description: problem) }
        if let cpu = configuration.cpu {
            do { try CPUAffinity.pinCurrentThread(to: cpu) } catch { throw RunError(description: error.description) }
        }
        let calls: RTPCallSet
        let setupStart = tdp_monotonic_ns()
        do {
            calls = try RTPCallSet(configuration: configuration)
            try calls.setUp()
        } catch {
            throw RunError(description: error.description)
        }
        let setupSeconds = Double(tdp_monotonic_ns() - setupStart) / 1e9
        defer { calls.tearDown() }
        guard calls.establishedCount > 0 else {
            throw RunError(description: "no call could be set up with \(configuration.relay): " +
                           (calls.errorSamples.first ?? "no reply"))
        }
        // Streams of failed calls are idle; the rate is spread over the streams that exist.
        let rate = configuration.targetRate
        let uring: RTPUringIO?
        do {
            uring = configuration.generatorEngine == .epoll ? nil
                : try RTPUringIO(packetLength: RTPPacketWriter.headerLength + configuration.payloadSize, rate: rate)
        } catch {
            if configuration.generatorEngine == .uring { throw RunError(description: "--generator-engine uring: \(error)") }
            uring = nil
        }
        let loop = RTPMediaLoop(calls: calls, rate: rate, runID: UInt32.random(in: 0...UInt32.max), uring: uring)
        // Latency and jitter cover the measured window only, like the CPU figures below: the warm-up's deliveries
        // are counted but not timed.
        if configuration.warmupSeconds > 0 {
            loop.tally.beginWarmup()
            _ = loop.run(sendNanoseconds: UInt64(configuration.warmupSeconds * 1e9), drainNanoseconds: 0, progress: progress)
            loop.tally.beginMeasurement(fromSendNanoseconds: tdp_realtime_ns())
        }
        let warmupSent = loop.sent
        loop.tally.slowPacketThresholdNanoseconds = UInt64(max(0, configuration.slowPacketThresholdMicroseconds)) * 1000
        let relaySampler = configuration.relayPID.map(ProcessCPUSampler.init(pid:))
        let relayCPUStart = relaySampler?.cpuSeconds()
        let coreSampler = configuration.relayCore.map(CoreCPUSampler.init(core:))
        let coreStart = coreSampler?.sample()
        let generatorCPUStart = CPUAffinity.threadCPUNanoseconds()
        let wallStart = tdp_monotonic_ns()
        let sendNs = loop.run(sendNanoseconds: UInt64(configuration.durationSeconds * 1e9),
                              drainNanoseconds: UInt64(configuration.drainMilliseconds) * 1_000_000,
                              progress: progress)
        let wallNs = max(1, tdp_monotonic_ns() - wallStart)
        let generatorCPU = Double(CPUAffinity.threadCPUNanoseconds() - generatorCPUStart) / Double(wallNs)
        let relayCPUEnd = relaySampler?.cpuSeconds()
        let coreEnd = coreSampler?.sample()
        calls.tearDown()  // explicit, so teardown errors are in the report; the deferred call then finds nothing
        var report = makeReport(calls: calls, loop: loop, rate: rate, setupSeconds: setupSeconds, sendNs: sendNs,
                                warmupSent: warmupSent,
                                wallNs: wallNs, generatorCPU: generatorCPU,
                                relayCPU: relayCPUStart.flatMap { s in relayCPUEnd.map { ($0 - s) / (Double(wallNs) / 1e9) } })
        if let a = coreStart, let b = coreEnd, let busy = CoreCPUSampler.busyFraction(from: a, to: b) {
            report.relayCoreBusy = busy
            report.relayCorePercentPer10kPps = report.sentPps > 0 ? busy * 100 / (report.sentPps / 10_000) : nil
            if let soft = CoreCPUSampler.interruptFraction(from: a, to: b) {
                report.relayCoreSoftirq = soft
                let forwarding = soft + (report.relayCPUCores ?? 0)
                report.relayForwardingPercentPer10kPps = report.sentPps > 0 ? forwarding * 100 / (report.sentPps / 10_000) : nil
            }
        }
        report.generatorEngine = uring == nil ? .epoll : .uring
        if let uring {
            report.generatorReceiveRearms = uring.rearms
            report.generatorReceiveErrors = uring.receiveErrors.count
        }
        report.latencyDistribution = LatencyDistribution(nanoseconds: loop.tally.latency)
        if configuration.slowPacketThresholdMicroseconds > 0 { report.slowPackets = loop.tally.slowPackets }
        return report
    }

    private func makeReport(calls: RTPCallSet, loop: RTPMediaLoop, rate: Double, setupSeconds: Double, sendNs: UInt64,
                            warmupSent: UInt64,
                            wallNs: UInt64, generatorCPU: Double, relayCPU: Double?) -> RTPLoadReport {
        let tally = loop.tally
        let sent = loop.sent
        let delivered = tally.delivered
        let lost = tally.lost(sentPerStream: loop.sentPerStream)
        let sendSeconds = max(1e-9, Double(sendNs) / 1e9)
        // Rates cover the measured phase only; counts (and so loss) cover the warm-up too.
        let sentPps = Double(sent - min(sent, warmupSent)) / sendSeconds
        let us = { (ns: UInt64) in Double(ns) / 1000 }
        let latency = tally.latency
        let jitter = tally.jitterNanoseconds
        var bound: String?
        if sentPps < 0.95 * rate { bound = "achieved send rate \(Int(sentPps)) pps < 95% of target \(Int(rate))" }
        if generatorCPU >= 0.95 {
            bound = (bound.map { $0 + "; " } ?? "") + "generator CPU \(Int(generatorCPU * 100))% >= 95%"
        }
        return RTPLoadReport(
            relay: configuration.relay.description, callsRequested: configuration.calls,
            callsEstablished: calls.establishedCount, setupErrors: calls.setupErrors, setupSeconds: setupSeconds,
            teardownErrors: calls.teardownErrors, ngErrorSamples: calls.errorSamples,
            targetPps: rate, sendSeconds: sendSeconds, sent: sent, sendErrors: loop.sendErrors, skipped: loop.skipped,
            delivered: delivered, lost: lost, lossFraction: sent > 0 ? Double(lost) / Double(sent) : 0,
            duplicates: tally.duplicates, misrouted: tally.misrouted, foreign: tally.foreign,
            sentPps: sentPps, receivedPps: sent > 0 ? sentPps * Double(delivered) / Double(sent) : 0,
            latencyP50Microseconds: us(latency.totalCount > 0 ? latency.valueAtPercentile(50) : 0),
            latencyP99Microseconds: us(latency.totalCount > 0 ? latency.valueAtPercentile(99) : 0),
            latencyP999Microseconds: us(latency.totalCount > 0 ? latency.valueAtPercentile(99.9) : 0),
            latencyMaxMicroseconds: us(latency.totalCount > 0 ? latency.max : 0),
            jitterMeanMicroseconds: jitter.mean / 1000, jitterMaxMicroseconds: jitter.max / 1000,
            relayCPUCores: relayCPU,
            relayCPUPercentPer10kPps: relayCPU.flatMap { sentPps > 0 ? $0 * 100 / (sentPps / 10_000) : nil },
            generatorCPUCores: generatorCPU, generatorBound: bound != nil, generatorBoundReason: bound)
    }
}
