import Histogram

/// Receive-side accounting for one run: per stream, which packets arrived (exactly once, twice, at the wrong
/// socket), their one-way latency and their jitter.
///
/// Topology: call `c` has endpoints `2c` (caller) and `2c+1` (callee); stream `s` is sent by endpoint `s` and must
/// arrive at endpoint `s ^ 1`. A stamped packet of this run that arrives anywhere else is *misrouted* — the relay
/// crossed two calls or reflected a stream — which is a correctness failure, not a performance one.
public struct DeliveryTally: Sendable {
    /// What one received datagram turned out to be.
    public enum Classification: Sendable, Equatable {
        case delivered
        case duplicate
        /// A stamp of this run, at an endpoint that is not the stream's far side.
        case misrouted
        /// No stamp, another run's stamp, or an unknown stream id.
        case foreign
    }

    public let runID: UInt32
    public let streamCount: Int
    private var ledgers: [SequenceLedger]
    private var jitter: [JitterEstimator]
    public private(set) var latency: Histogram<UInt64>
    public private(set) var misrouted: UInt64 = 0
    public private(set) var foreign: UInt64 = 0
    /// Packets whose kernel receive time was missing or earlier than their send time (clock trouble; not in latency).
    public private(set) var untimed: UInt64 = 0
    /// Packets sent (by their stamp's CLOCK_REALTIME send time) before this instant still count as delivered, but
    /// stay out of latency and jitter: the generator sets it when the warm-up ends. Without it, the warm-up's
    /// packets were in the latency histogram, so a relay that needs a moment to reach its fast path (the kernel
    /// path offloads a stream only after both sides' first packets) had its slow start counted in p99 although
    /// its CPU figures already excluded the warm-up.
    public var latencyFromSendNanoseconds: UInt64 = 0

    /// Starts the warm-up: nothing delivered from now on enters latency, jitter or the slow list until
    /// `beginMeasurement(fromSendNanoseconds:)`. Why a phase of its own: the start of the measured window is only
    /// known when the warm-up ends, and a tally left at `latencyFromSendNanoseconds = 0` during the warm-up recorded
    /// every warm-up packet as it arrived (the kernel path's pre-offload packets then set its p99: 3 ms where the
    /// measured window alone had 0 packets above 20 ms).
    public mutating func beginWarmup() {
        latencyFromSendNanoseconds = .max
    }

    /// Ends the warm-up: packets sent at or after `start` (CLOCK_REALTIME, as in the stamps) enter latency.
    public mutating func beginMeasurement(fromSendNanoseconds start: UInt64) {
        latencyFromSendNanoseconds = start
    }
    /// Packets slower than this (ns) are listed in `slowPackets` (0: none), up to `slowPacketCapacity`: when a
    /// tail shows up in the percentiles, their send times and streams tell a periodic stall from a slow stream.
    public var slowPacketThresholdNanoseconds: UInt64 = 0
    public var slowPacketCapacity = 100_000
    public private(set) var slowPackets: [SlowPacket] = []
    /// Delivered packets left out of latency because they were sent before `latencyFromSendNanoseconds`.
    public private(set) var warmupDelivered: UInt64 = 0

    /// Latency is tracked in nanoseconds up to one minute with three significant digits.
    public init(runID: UInt32, streamCount: Int) {
        self.runID = runID
        self.streamCount = max(0, streamCount)
        ledgers = Array(repeating: SequenceLedger(), count: self.streamCount)
        jitter = Array(repeating: JitterEstimator(), count: self.streamCount)
        latency = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000,
                                    numberOfSignificantValueDigits: .three)
    }

    /// Accounts one datagram received at `endpoint` (an RTP packet whose payload starts with a stamp).
    @discardableResult
    public mutating func record(datagram: UnsafeRawBufferPointer, at endpoint: Int,
                                receiveNanoseconds: UInt64) -> Classification {
        guard let stamp = try? PayloadStamp.read(from: datagram, at: RTPPacketWriter.headerLength),
              stamp.runID == runID, Int(stamp.streamID) < streamCount else {
            foreign += 1
            return .foreign
        }
        let stream = Int(stamp.streamID)
        guard stream ^ 1 == endpoint else {
            misrouted += 1
            return .misrouted
        }
        switch ledgers[stream].record(stamp.sequence) {
        case .duplicate:
            return .duplicate
        case .outOfRange:
            foreign += 1
            return .foreign
        case .first:
            break
        }
        if stamp.sendTimeNanoseconds < latencyFromSendNanoseconds {
            warmupDelivered += 1
        } else if receiveNanoseconds >= stamp.sendTimeNanoseconds && receiveNanoseconds != 0 {
            let oneWay = receiveNanoseconds - stamp.sendTimeNanoseconds
            _ = latency.record(min(oneWay, latency.highestTrackableValue))
            if slowPacketThresholdNanoseconds > 0, oneWay > slowPacketThresholdNanoseconds,
               slowPackets.count < slowPacketCapacity {
                if slowPackets.capacity == 0 { slowPackets.reserveCapacity(slowPacketCapacity) }
                slowPackets.append(SlowPacket(sendNanoseconds: stamp.sendTimeNanoseconds, latencyNanoseconds: oneWay,
                                              stream: UInt32(stream), sequence: stamp.sequence))
            }
            jitter[stream].record(sendNanoseconds: stamp.sendTimeNanoseconds, receiveNanoseconds: receiveNanoseconds)
        } else {
            untimed += 1
        }
        return .delivered
    }

    /// Packets of this run that arrived at the right place, counted once each.
    public var delivered: UInt64 { ledgers.reduce(0) { $0 + $1.unique } }
    public var duplicates: UInt64 { ledgers.reduce(0) { $0 + $1.duplicates } }
    public func delivered(stream: Int) -> UInt64 { stream < ledgers.count ? ledgers[stream].unique : 0 }

    /// Mean and maximum of the per-stream RFC 3550 jitter, over streams that received at least two packets.
    public var jitterNanoseconds: (mean: Double, max: Double) {
        let values = zip(ledgers, jitter).filter { $0.0.unique >= 2 }.map { $0.1.jitterNanoseconds }
        guard !values.isEmpty else { return (0, 0) }
        return (values.reduce(0, +) / Double(values.count), values.max() ?? 0)
    }

    /// Sent minus delivered, per stream, never negative (a duplicate does not make up for a loss).
    public func lost(sentPerStream: [UInt64]) -> UInt64 {
        var total: UInt64 = 0
        for (stream, sent) in sentPerStream.enumerated() {
            let got = delivered(stream: stream)
            if sent > got { total += sent - got }
        }
        return total
    }
}
