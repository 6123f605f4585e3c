import CShims
import Histogram

/// Control-plane load: offer + answer (+ delete) per call with a window of requests in flight, for a number of
/// calls or a duration, whichever ends first. The SDP advertises ports nobody listens on: only the relay's
/// control path is measured (its session table, port allocation and SDP rewrite), not media.
public struct NGLoadGenerator: Sendable {
    public struct Configuration: Sendable {
        public var relay: IPv4Endpoint
        public var inFlight: Int = 16
        /// 0 means no limit (the duration bounds the run).
        public var calls: Int = 0
        public var durationSeconds: Double = 10
        public var deleteCalls: Bool = true
        public var timeoutMilliseconds: Int = 2000
        public var cpu: Int?
        public var relayPID: Int32?
        public init(relay: IPv4Endpoint) { self.relay = relay }
    }

    public var configuration: Configuration
    /// Sees a sample about twice a second (the live progress line).
    public var progress: (@Sendable (LoadProgress) -> Void)?

    public init(configuration: Configuration, progress: (@Sendable (LoadProgress) -> Void)? = nil) {
        self.configuration = configuration
        self.progress = progress
    }

    public func run() throws(RTPLoadGenerator.RunError) -> NGLoadReport {
        let c = configuration
        guard (0.1...RTPLoadConfiguration.maximumDurationSeconds).contains(c.durationSeconds) else {
            throw RTPLoadGenerator.RunError(description: "duration must be 0.1...600 seconds")
        }
        if let cpu = c.cpu {
            do { try CPUAffinity.pinCurrentThread(to: cpu) } catch {
                throw RTPLoadGenerator.RunError(description: error.description)
            }
        }
        let pipeline: NGPipeline
        do {
            pipeline = try NGPipeline(relay: c.relay, window: c.inFlight, timeoutMilliseconds: c.timeoutMilliseconds)
        } catch { throw RTPLoadGenerator.RunError(description: error.description) }
        let runTag = UInt32.random(in: 0...UInt32.max)
        let steps: [NGCallStep] = c.deleteCalls ? [.offer, .answer, .delete] : [.offer, .answer]
        var issued = 0, completedCalls = 0, failedCalls = 0
        let sampler = c.relayPID.map(ProcessCPUSampler.init(pid:))
        let relayCPUStart = sampler?.cpuSeconds()
        let start = tdp_monotonic_ns()
        let end = start + UInt64(c.durationSeconds * 1e9)
        var last = (at: start, completed: 0, failed: 0)
        let progress = self.progress
        pipeline.run(deadlineNanoseconds: start + UInt64(c.durationSeconds * 1e9), next: {
            guard c.calls == 0 || issued < c.calls else { return nil }
            defer { issued += 1 }
            let id = "tandem-perf-ng-\(runTag)-\(issued)"
            // Offer ports 10000-29998, answer ports 40000-59998: always valid, never the same.
            let port = 10_000 + 2 * (issued % 10_000)
            return (issued, NGCallScript(
                callID: id, fromTag: id + "-a", toTag: id + "-b",
                offerSDP: NGCallScript.audioSDP(address: "127.0.0.1", port: port, sessionID: UInt64(issued) + 1),
                answerSDP: NGCallScript.audioSDP(address: "127.0.0.1", port: port + 30_000, sessionID: UInt64(issued) + 2),
                steps: steps))
        }, completed: { _, _, outcome in
            if outcome.succeeded { completedCalls += 1 } else { failedCalls += 1 }
        }, tick: { now in
            guard let progress, now &- last.at >= 500_000_000 else { return }
            let done = completedCalls - last.completed, failed = failedCalls - last.failed
            progress(LoadProgress(phase: "ng", elapsedSeconds: Double(now - start) / 1e9,
                                  secondsLeft: Double(end > now ? end - now : 0) / 1e9,
                                  rate: Double(done) / (Double(now - last.at) / 1e9), unit: "calls/s",
                                  lossFraction: done + failed > 0 ? Double(failed) / Double(done + failed) : nil))
            last = (now, completedCalls, failedCalls)
        })
        let seconds = max(1e-9, Double(tdp_monotonic_ns() - start) / 1e9)
        let relayCPU = relayCPUStart.flatMap { s in sampler?.cpuSeconds().map { ($0 - s) / seconds } }
        var perCommand: [NGLoadReport.CommandLatency] = []
        var all = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000,
                                    numberOfSignificantValueDigits: .three)
        for step in steps {
            guard let h = pipeline.latency[step] else { continue }
            all.add(h)
            perCommand.append(NGLoadReport.CommandLatency(command: step.rawValue, histogram: h))
        }
        perCommand.append(NGLoadReport.CommandLatency(command: "all", histogram: all))
        let commands = pipeline.repliesOK + pipeline.errorReplies
        return NGLoadReport(
            relay: c.relay.description, inFlight: c.inFlight, seconds: seconds, callsStarted: issued,
            callsCompleted: completedCalls, callsFailed: failedCalls, commandsAnswered: commands,
            errorReplies: pipeline.errorReplies, timeouts: pipeline.timeouts, undecodableReplies: pipeline.undecodableReplies,
            callsPerSecond: Double(completedCalls) / seconds, commandsPerSecond: Double(commands) / seconds,
            latency: perCommand, errorSamples: pipeline.sampleErrors, relayCPUCores: relayCPU,
            latencyDistribution: LatencyDistribution(nanoseconds: all))
    }
}

/// The outcome of an ng control-plane run.
public struct NGLoadReport: Sendable, Codable {
    public struct CommandLatency: Sendable, Codable {
        public var command: String
        public var count: UInt64
        public var p50Microseconds: Double
        public var p99Microseconds: Double
        public var p999Microseconds: Double
        public var maxMicroseconds: Double

        init(command: String, histogram h: Histogram<UInt64>) {
            self.command = command
            count = h.totalCount
            let empty = h.totalCount == 0
            p50Microseconds = empty ? 0 : Double(h.valueAtPercentile(50)) / 1000
            p99Microseconds = empty ? 0 : Double(h.valueAtPercentile(99)) / 1000
            p999Microseconds = empty ? 0 : Double(h.valueAtPercentile(99.9)) / 1000
            maxMicroseconds = empty ? 0 : Double(h.max) / 1000
        }
    }

    public var relay: String
    public var inFlight: Int
    public var seconds: Double
    public var callsStarted: Int
    public var callsCompleted: Int
    public var callsFailed: Int
    public var commandsAnswered: UInt64
    public var errorReplies: UInt64
    public var timeouts: UInt64
    public var undecodableReplies: UInt64
    public var callsPerSecond: Double
    public var commandsPerSecond: Double
    public var latency: [CommandLatency]
    public var errorSamples: [String]
    public var relayCPUCores: Double?
    /// CDF and histogram of every command's latency, for plots.
    public var latencyDistribution: LatencyDistribution? = nil

    public func text() -> String {
        let f = { (v: Double) in FixedPoint.format(v, digits: 1) }
        var lines = ["relay \(relay), \(inFlight) in flight, \(FixedPoint.format(seconds, digits: 2)) s: " +
                     "\(callsCompleted) calls ok, \(callsFailed) failed (\(f(callsPerSecond)) calls/s, " +
                     "\(f(commandsPerSecond)) commands/s)",
                     "errors: \(errorReplies) error replies, \(timeouts) timeouts, \(undecodableReplies) undecodable"]
        for l in latency {
            lines.append("\(l.command): n=\(l.count) latency us p50 \(f(l.p50Microseconds)) p99 \(f(l.p99Microseconds)) " +
                         "p99.9 \(f(l.p999Microseconds)) max \(f(l.maxMicroseconds))")
        }
        if let r = relayCPUCores { lines.append("relay CPU \(f(r * 100))%") }
        for e in errorSamples { lines.append("ng error: \(e)") }
        return lines.joined(separator: "\n")
    }
}
