#if canImport(Glibc)
import Glibc
#endif
import CShims

/// The sending and receiving half of a run, on the calling thread: paced sends and receives with kernel timestamps,
/// through io_uring (`RTPUringIO`) or with sendmmsg and epoll + recvmmsg, all accounted in a `DeliveryTally`.
///
/// Pacing is global: packet k of the run is due at k / rate seconds and goes to active stream k mod S, so every
/// stream gets rate / S and the load is spread evenly rather than in per-call bursts. When the loop falls more
/// than 50 ms behind, the overdue packets are skipped (and reported): catching up in a burst would measure the
/// generator's backlog, not the relay. The loop sleeps until the next packet is due, but at least
/// `pacingTickNanoseconds` (50 µs: at 100k pps about 5 packets per wake-up) and at most 1 ms, with a 1 µs timer
/// slack: waking once per millisecond sent 100-packet bursts at 100k pps, and the relay's queue behind such a
/// burst, not its own delay, set the measured p99.
final class RTPMediaLoop {
    private let calls: RTPCallSet
    private let rate: Double
    private let payloadType: UInt8 = 8
    private let packetLength: Int
    private let rtpTimestampStep: UInt32
    private var activeStreams: [Int] = []
    private var cursor = 0

    var tally: DeliveryTally
    /// Packets handed to the kernel per stream (their sequence numbers are used up), failed sends included.
    private var issuedPerStream: [UInt64]
    /// Sends the kernel failed per stream (io_uring reports them after the packet's sequence number was used).
    private var failedPerStream: [UInt64]
    private var rtpSequence: [UInt16]
    private(set) var sendErrors: UInt64 = 0
    private(set) var skipped: UInt64 = 0
    private(set) var deliveredCount: UInt64 = 0

    private static let batch = 64
    static let pacingTickNanoseconds: UInt64 = 50_000
    private static let receiveStride = 2048
    private var sendBuffer: UnsafeMutableRawBufferPointer
    private var sendLengths: [UInt32]
    private var receiveBuffer: UnsafeMutableRawBufferPointer
    private var receiveLengths = [UInt32](repeating: 0, count: batch)
    private var receiveTimes = [UInt64](repeating: 0, count: batch)

    /// The io_uring engine, or nil for sendmmsg + epoll.
    private let uring: RTPUringIO?

    init(calls: RTPCallSet, rate: Double, runID: UInt32, uring: RTPUringIO? = nil) {
        self.calls = calls
        self.uring = uring
        self.rate = rate
        let configuration = calls.configuration
        packetLength = RTPPacketWriter.headerLength + configuration.payloadSize
        rtpTimestampStep = UInt32(clamping: 8 * configuration.ptimeMilliseconds)
        let streams = configuration.streamCount
        tally = DeliveryTally(runID: runID, streamCount: streams)
        issuedPerStream = Array(repeating: 0, count: streams)
        failedPerStream = Array(repeating: 0, count: streams)
        rtpSequence = (0..<streams).map { _ in UInt16.random(in: 0...UInt16.max) }
        for s in 0..<streams where calls.destinations[s] != nil { activeStreams.append(s) }
        sendBuffer = .allocate(byteCount: packetLength * RTPMediaLoop.batch, alignment: 16)
        sendLengths = Array(repeating: UInt32(packetLength), count: RTPMediaLoop.batch)
        for i in 0..<RTPMediaLoop.batch {
            RTPPacketWriter.prepare(UnsafeMutableRawBufferPointer(rebasing: sendBuffer[(i * packetLength)..<((i + 1) * packetLength)]),
                                    payloadType: payloadType)
        }
        receiveBuffer = .allocate(byteCount: RTPMediaLoop.receiveStride * RTPMediaLoop.batch, alignment: 16)
    }

    deinit {
        sendBuffer.deallocate()
        receiveBuffer.deallocate()
    }

    /// Packets the kernel accepted per stream.
    var sentPerStream: [UInt64] { zip(issuedPerStream, failedPerStream).map { $0 &- $1 } }
    var sent: UInt64 { issuedPerStream.reduce(0, +) &- failedPerStream.reduce(0, +) }

    /// Sends for `sendNanoseconds`, then receives for up to `drainNanoseconds` more (or until all arrived).
    /// Returns the actual sending time in nanoseconds.
    func run(sendNanoseconds: UInt64, drainNanoseconds: UInt64,
             progress: (@Sendable (LoadProgress) -> Void)? = nil) -> UInt64 {
        var epfd: Int32 = -1
        if let uring {
            uring.armOnce(sockets: calls.sockets.map(\.fd))
        } else {
            epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
            guard epfd >= 0 else { return 0 }
            for (endpoint, socket) in calls.sockets.enumerated() { _ = tdm_epoll_add(epfd, socket.fd, UInt64(endpoint)) }
        }
        defer { if epfd >= 0 { close(epfd) } }
        var tags = [UInt64](repeating: 0, count: 256)
        _ = tdp_set_timer_slack_ns(1000)
        let start = tdp_monotonic_ns()
        let sendEnd = start + sendNanoseconds
        var scheduled: UInt64 = 0
        let maxLag = max(UInt64(64), UInt64(rate * 0.05))
        var finishedSending: UInt64 = 0
        var lastReport = (at: start, sent: UInt64(0), delivered: UInt64(0))
        while true {
            let now = tdp_monotonic_ns()
            if let progress, now &- lastReport.at >= 500_000_000 {
                let sentNow = sent, deliveredNow = deliveredCount
                let sentDelta = sentNow &- lastReport.sent
                let seconds = Double(now - lastReport.at) / 1e9
                // Packets still in flight count as lost for one interval; the final report is exact.
                let loss = sentDelta > 0 ? 1 - Double(deliveredNow &- lastReport.delivered) / Double(sentDelta) : nil
                progress(LoadProgress(phase: "rtp", elapsedSeconds: Double(now - start) / 1e9,
                                      secondsLeft: Double(sendEnd + drainNanoseconds > now ? sendEnd + drainNanoseconds - now : 0) / 1e9,
                                      rate: Double(deliveredNow &- lastReport.delivered) / seconds, unit: "pps received",
                                      lossFraction: loss))
                lastReport = (now, sentNow, deliveredNow)
            }
            if now < sendEnd, !activeStreams.isEmpty {
                let due = UInt64(Double(now - start) * rate / 1e9)
                if due > scheduled {
                    var count = due - scheduled
                    if count > maxLag {
                        skipped += count - maxLag
                        count = maxLag
                    }
                    scheduled = due
                    send(count: Int(count))
                }
            } else {
                if finishedSending == 0 { finishedSending = max(now, start + 1) }
                if now >= sendEnd + drainNanoseconds || deliveredCount >= sent { break }
            }
            var wait: UInt64 = 1_000_000
            if now < sendEnd, !activeStreams.isEmpty, rate > 0 {
                let nextDue = start &+ UInt64(Double(scheduled + 1) * 1e9 / rate)
                let untilDue = nextDue > now ? nextDue - now : 0
                wait = min(wait, max(RTPMediaLoop.pacingTickNanoseconds, untilDue))
            }
            if let uring {
                receive(uring.wait(timeoutNanoseconds: wait), from: uring)
            } else {
                let n = tags.withUnsafeMutableBufferPointer { tdp_epoll_wait_ns(epfd, $0.baseAddress, 256, wait) }
                for i in 0..<max(0, Int(n)) { drain(endpoint: Int(tags[i])) }
            }
        }
        return (finishedSending == 0 ? tdp_monotonic_ns() : finishedSending) - start
    }

    private func send(count: Int) {
        let s = activeStreams.count
        if count <= s {
            for k in 0..<count { send(stream: activeStreams[(cursor + k) % s], count: 1) }
            cursor = (cursor + count) % s
        } else {
            let full = count / s, remainder = count % s
            for j in 0..<s { send(stream: activeStreams[(cursor + j) % s], count: full + (j < remainder ? 1 : 0)) }
            cursor = (cursor + remainder) % s
        }
    }

    private func send(stream: Int, count: Int) {
        guard let destination = calls.destinations[stream] else { return }
        let fd = calls.sockets[stream].fd
        var remaining = count
        while remaining > 0 {
            let n = min(remaining, RTPMediaLoop.batch)
            let now = tdp_realtime_ns()
            let firstSequence = issuedPerStream[stream]
            for i in 0..<n {
                let packet = UnsafeMutableRawBufferPointer(rebasing: sendBuffer[(i * packetLength)..<((i + 1) * packetLength)])
                let seq = rtpSequence[stream] &+ UInt16(truncatingIfNeeded: i)
                let ts = UInt32(truncatingIfNeeded: firstSequence &+ UInt64(i)) &* rtpTimestampStep
                RTPPacketWriter.stamp(packet, ssrc: 0x7D00_0000 | UInt32(stream), rtpSequence: seq, rtpTimestamp: ts,
                                      stamp: PayloadStamp(runID: tally.runID, streamID: UInt32(stream),
                                                          sequence: firstSequence + UInt64(i), sendTimeNanoseconds: now))
            }
            let base = sendBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let done = sendLengths.withUnsafeBufferPointer { lengths in
                if let uring {
                    return uring.send(fd: fd, to: destination, base: base, stride: packetLength,
                                      lengths: lengths.baseAddress!, count: n, stream: stream)
                }
                let rc = tdp_send_batch(fd, destination.addressBigEndian, destination.portBigEndian, base, packetLength,
                                        lengths.baseAddress, UInt32(n))
                return rc > 0 ? Int(rc) : 0
            }
            issuedPerStream[stream] += UInt64(done)
            rtpSequence[stream] = rtpSequence[stream] &+ UInt16(truncatingIfNeeded: done)
            if done < n { sendErrors += UInt64(n - done) }
            remaining -= n
        }
    }

    /// Accounts the completions of one io_uring wait: datagrams into the tally, failed sends as send errors.
    private func receive(_ count: Int, from uring: RTPUringIO) {
        for i in 0..<count {
            let event = uring.events[i]
            let tag = Int(event.tag)
            if event.kind == 1 {
                sendErrors += 1
                if tag < failedPerStream.count { failedPerStream[tag] += 1 }
                continue
            }
            guard tag < calls.sockets.count, let payload = event.payload else { continue }
            let datagram = UnsafeRawBufferPointer(start: payload, count: Int(event.length))
            if tally.record(datagram: datagram, at: tag, receiveNanoseconds: event.rx_ns) == .delivered {
                deliveredCount += 1
            }
        }
    }

    private func drain(endpoint: Int) {
        guard endpoint < calls.sockets.count else { return }
        let fd = calls.sockets[endpoint].fd
        let base = receiveBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        for _ in 0..<8 {
            let n = receiveLengths.withUnsafeMutableBufferPointer { lengths in
                receiveTimes.withUnsafeMutableBufferPointer { times in
                    tdp_recv_batch(fd, base, RTPMediaLoop.receiveStride, lengths.baseAddress, times.baseAddress,
                                   UInt32(RTPMediaLoop.batch))
                }
            }
            guard n > 0 else { return }
            for i in 0..<Int(n) {
                let start = i * RTPMediaLoop.receiveStride
                let length = min(Int(receiveLengths[i]), RTPMediaLoop.receiveStride)
                let datagram = UnsafeRawBufferPointer(rebasing: receiveBuffer[start..<(start + length)])
                if tally.record(datagram: datagram, at: endpoint, receiveNanoseconds: receiveTimes[i]) == .delivered {
                    deliveredCount += 1
                }
            }
            if Int(n) < RTPMediaLoop.batch { return }
        }
    }
}
