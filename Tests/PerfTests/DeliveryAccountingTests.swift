import Testing
@testable import Perf

@Suite struct DeliveryAccountingTests {
    /// A stamped packet of `stream` with `sequence`, sent at `sentNs`.
    func packet(run: UInt32 = 1, stream: UInt32, sequence: UInt64, sentNs: UInt64 = 1_000) -> [UInt8] {
        var p = [UInt8](repeating: 0, count: RTPPacketWriter.headerLength + 40)
        p.withUnsafeMutableBytes {
            RTPPacketWriter.prepare($0, payloadType: 8)
            RTPPacketWriter.stamp($0, ssrc: 1, rtpSequence: 0, rtpTimestamp: 0,
                                  stamp: PayloadStamp(runID: run, streamID: stream, sequence: sequence, sendTimeNanoseconds: sentNs))
        }
        return p
    }

    func record(_ tally: inout DeliveryTally, _ bytes: [UInt8], at endpoint: Int, rx: UInt64 = 2_000) -> DeliveryTally.Classification {
        bytes.withUnsafeBytes { tally.record(datagram: $0, at: endpoint, receiveNanoseconds: rx) }
    }

    /// Packets sent during the warm-up count as delivered but stay out of latency (the kernel path's first packets,
    /// forwarded in userspace before the offload, used to set the kernel target's p99).
    @Test func warmupPacketsStayOutOfLatency() {
        var tally = DeliveryTally(runID: 1, streamCount: 2)
        tally.latencyFromSendNanoseconds = 5_000
        #expect(record(&tally, packet(stream: 0, sequence: 0, sentNs: 1_000), at: 1, rx: 900_000) == .delivered)
        #expect(record(&tally, packet(stream: 0, sequence: 1, sentNs: 5_000), at: 1, rx: 6_000) == .delivered)
        #expect(tally.delivered == 2)
        #expect(tally.warmupDelivered == 1)
        #expect(tally.latency.totalCount == 1)
        #expect(tally.latency.max <= 1_001)
    }

    /// The generator's order: the warm-up phase starts before any packet is sent, so what arrives during it is not
    /// timed whatever its send time; the measured window then times only packets sent from its start. (The tally
    /// once started timing at 0, so every packet delivered during the warm-up was in the histogram.)
    @Test func warmupPhaseTimesNothingUntilTheMeasurementBegins() {
        var tally = DeliveryTally(runID: 1, streamCount: 2)
        tally.slowPacketThresholdNanoseconds = 1
        tally.beginWarmup()
        #expect(record(&tally, packet(stream: 0, sequence: 0, sentNs: 1_000), at: 1, rx: 3_000_000) == .delivered)
        #expect(record(&tally, packet(stream: 1, sequence: 0, sentNs: 2_000), at: 0, rx: 3_000_000) == .delivered)
        #expect(tally.latency.totalCount == 0 && tally.slowPackets.isEmpty && tally.warmupDelivered == 2)
        tally.beginMeasurement(fromSendNanoseconds: 10_000)
        // Sent during the warm-up, arrived after it: still not timed.
        #expect(record(&tally, packet(stream: 0, sequence: 1, sentNs: 9_000), at: 1, rx: 5_000_000) == .delivered)
        #expect(record(&tally, packet(stream: 0, sequence: 2, sentNs: 10_000), at: 1, rx: 10_500) == .delivered)
        #expect(tally.delivered == 4 && tally.warmupDelivered == 3)
        #expect(tally.latency.totalCount == 1 && tally.latency.max <= 501)
        #expect(tally.slowPackets.count == 1)
    }

    @Test func countsDeliveryLossDuplicatesAndMisrouting() {
        var tally = DeliveryTally(runID: 1, streamCount: 4)  // two calls
        // Stream 0 (call 0 caller → callee) must arrive at endpoint 1; stream 3 at endpoint 2.
        #expect(record(&tally, packet(stream: 0, sequence: 0), at: 1) == .delivered)
        #expect(record(&tally, packet(stream: 0, sequence: 2), at: 1) == .delivered)
        #expect(record(&tally, packet(stream: 0, sequence: 2), at: 1) == .duplicate)
        #expect(record(&tally, packet(stream: 3, sequence: 0), at: 2) == .delivered)
        #expect(record(&tally, packet(stream: 0, sequence: 1), at: 3) == .misrouted)   // crossed into call 1
        #expect(record(&tally, packet(stream: 1, sequence: 0), at: 1) == .misrouted)   // reflected to its sender
        #expect(record(&tally, packet(run: 9, stream: 0, sequence: 5), at: 1) == .foreign)
        #expect(record(&tally, packet(stream: 99, sequence: 5), at: 1) == .foreign)
        #expect(record(&tally, [1, 2, 3], at: 1) == .foreign)
        #expect(tally.delivered == 3)
        #expect(tally.duplicates == 1)
        #expect(tally.misrouted == 2)
        #expect(tally.foreign == 3)
        // Sent: stream 0 → 3 (seq 1 went astray, so it is lost), stream 1 → 1 (reflected: lost), stream 3 → 1.
        #expect(tally.lost(sentPerStream: [3, 1, 0, 1]) == 2)
        #expect(tally.latency.totalCount == 3)
        #expect(tally.latency.valueAtPercentile(50) == 1_000)
    }

    /// Packets slower than the threshold are listed (send time, latency, stream), up to the capacity, and the CSV is
    /// sorted by send time: what tells a periodic stall from one slow stream.
    @Test func slowPacketsAreListedUpToTheCapacity() {
        var tally = DeliveryTally(runID: 1, streamCount: 2)
        tally.slowPacketThresholdNanoseconds = 1_000_000
        tally.slowPacketCapacity = 2
        #expect(record(&tally, packet(stream: 0, sequence: 0, sentNs: 10_000), at: 1, rx: 20_000) == .delivered)
        #expect(record(&tally, packet(stream: 0, sequence: 1, sentNs: 9_000_000), at: 1, rx: 12_000_000) == .delivered)
        #expect(record(&tally, packet(stream: 1, sequence: 0, sentNs: 1_000_000), at: 0, rx: 4_000_000) == .delivered)
        #expect(record(&tally, packet(stream: 1, sequence: 1, sentNs: 2_000_000), at: 0, rx: 9_000_000) == .delivered)
        #expect(tally.slowPackets.count == 2)
        #expect(tally.slowPackets.first == SlowPacket(sendNanoseconds: 9_000_000, latencyNanoseconds: 3_000_000,
                                                      stream: 0, sequence: 1))
        #expect(SlowPacket.csv(tally.slowPackets) ==
                "send_ns,latency_us,stream,sequence\n1000000,3000,1,0\n9000000,3000,0,1\n")
        #expect(tally.latency.totalCount == 4)
    }

    @Test func clockTroubleIsNotLatency() {
        var tally = DeliveryTally(runID: 1, streamCount: 2)
        #expect(record(&tally, packet(stream: 0, sequence: 0, sentNs: 5_000), at: 1, rx: 4_000) == .delivered)
        #expect(record(&tally, packet(stream: 0, sequence: 1, sentNs: 5_000), at: 1, rx: 0) == .delivered)
        #expect(tally.untimed == 2)
        #expect(tally.latency.totalCount == 0)
    }

    @Test func sequenceLedgerIsExactAndBounded() {
        var ledger = SequenceLedger(limit: 1_000)
        #expect(ledger.record(999) == .first)
        #expect(ledger.record(0) == .first)
        #expect(ledger.record(999) == .duplicate)
        #expect(ledger.record(1_000) == .outOfRange)
        #expect(ledger.unique == 2 && ledger.duplicates == 1)
    }

    @Test func jitterFollowsRFC3550() {
        var j = JitterEstimator()
        // Transit times 100, 100: no jitter.
        j.record(sendNanoseconds: 0, receiveNanoseconds: 100)
        j.record(sendNanoseconds: 20, receiveNanoseconds: 120)
        #expect(j.jitterNanoseconds == 0)
        // Transit 260: |D| = 160 → J = 160/16 = 10.
        j.record(sendNanoseconds: 40, receiveNanoseconds: 300)
        #expect(j.jitterNanoseconds == 10)
        // Transit 100 again: |D| = 160 → J = 10 + (160 - 10)/16 = 19.375.
        j.record(sendNanoseconds: 60, receiveNanoseconds: 160)
        #expect(j.jitterNanoseconds == 19.375)
        // A steady stream decays towards 0.
        for i in 0..<200 { j.record(sendNanoseconds: UInt64(100 + i * 20), receiveNanoseconds: UInt64(200 + i * 20)) }
        #expect(j.jitterNanoseconds < 0.01)
    }

    @Test func procStatParsing() {
        let line = Array("4242 (rtp engine) (x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 5 0 99 0\n".utf8)
        let ticks = ProcessCPUSampler.cpuTicks(statLine: line)
        #expect(ticks?.user == 1234 && ticks?.system == 567)
        #expect(ProcessCPUSampler.cpuTicks(statLine: Array("garbage".utf8)) == nil)
        #expect(ProcessCPUSampler.cpuTicks(statLine: Array("1 (x) S 1 2".utf8)) == nil)
    }
}
