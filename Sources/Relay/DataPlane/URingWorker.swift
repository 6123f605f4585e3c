import CShims

/// One io_uring worker: owns its ring, a provided-buffer ring, and the stream sockets assigned to it.
///
/// Per-packet path (no allocation, no locks):
/// 1. Every stream socket has one multishot `recvmsg` armed against the worker's provided-buffer group; each
///    datagram completes as a CQE naming a buffer id (`bid`) that holds `io_uring_recvmsg_out`, the source
///    address, and the payload.
/// 2. While reaping, the packet is latched/accounted (`StreamLatch`) and, when it has a destination, a
///    `sendmsg` SQE is queued on the peer socket (the RTCP peer's for RFC 5761 RTCP when the stream demultiplexes
///    rtcp-mux) that points straight into the same buffer: zero copies. The
///    `msghdr`, `iovec` and destination address for that send live in per-`bid` arrays, since a buffer is in at
///    most one send at a time.
/// 3. A send CQE returns its buffer to the buffer ring (batched: one tail store per loop iteration).
/// 4. One `io_uring_submit_and_wait(1)` per iteration submits every send queued by the batch and waits for
///    more work, so one syscall moves a whole batch.
/// A multishot receive that terminates (no `IORING_CQE_F_MORE`: buffer shortage, error) is re-armed at the end
/// of the iteration, once buffers have been returned.
final class URingWorker {
    private let context: WorkerContext
    private var streams: WorkerStreamList
    private let bufferCount: UInt32
    private let bufferSize: UInt32
    private let bufferGroup: UInt32 = 1

    private var ring: UnsafeMutablePointer<io_uring>?
    private var bufferRing: UnsafeMutablePointer<io_uring_buf_ring>?
    private let buffers: UnsafeMutableRawPointer
    private let sendHeaders: UnsafeMutablePointer<msghdr>
    private let sendVectors: UnsafeMutablePointer<iovec>
    private let sendNames: UnsafeMutablePointer<sockaddr_in6>
    private let sendOrigin: UnsafeMutablePointer<UInt32>
    private let sendOriginGeneration: UnsafeMutablePointer<UInt32>
    private let receiveTemplate: UnsafeMutablePointer<msghdr>
    private let completions: UnsafeMutablePointer<UnsafeMutablePointer<io_uring_cqe>?>
    private let completionBatch: UInt32
    private let ringEntries: UInt32
    private let eventValue: UnsafeMutablePointer<UInt64>
    private let rearmQueue: UnsafeMutablePointer<UInt32>
    private var rearmCount = 0
    private var pendingReturns: UInt32 = 0
    private var freeBuffers = 0
    private var running = true

    // user_data layout: kind in bits 60..63; receive: generation (28 bits) << 32 | slot; send: bid.
    private static let kindShift: UInt64 = 60
    private static let kindReceive: UInt64 = 1
    private static let kindSend: UInt64 = 2
    private static let kindEvent: UInt64 = 3
    private static let kindCancel: UInt64 = 4
    private static let generationMask: UInt32 = 0x0FFF_FFFF

    /// Slot `armed` values.
    private static let idle: UInt32 = 0
    private static let armed: UInt32 = 1
    private static let queuedForRearm: UInt32 = 2

    init(context: WorkerContext, tableCapacity: Int, bufferCount: Int, bufferSize: Int, ringEntries: Int,
         completionBatch: Int) {
        self.context = context
        self.ringEntries = UInt32(ringEntries)
        self.completionBatch = UInt32(max(1, completionBatch))
        streams = WorkerStreamList(capacity: tableCapacity)
        self.bufferCount = UInt32(bufferCount)
        self.bufferSize = UInt32(bufferSize)
        buffers = UnsafeMutableRawPointer.allocate(byteCount: bufferCount * bufferSize, alignment: 64)
        sendHeaders = .allocate(capacity: bufferCount)
        sendHeaders.initialize(repeating: msghdr(), count: bufferCount)
        sendVectors = .allocate(capacity: bufferCount)
        sendVectors.initialize(repeating: iovec(), count: bufferCount)
        sendNames = .allocate(capacity: bufferCount)
        sendNames.initialize(repeating: sockaddr_in6(), count: bufferCount)
        sendOrigin = .allocate(capacity: bufferCount)
        sendOrigin.initialize(repeating: 0, count: bufferCount)
        sendOriginGeneration = .allocate(capacity: bufferCount)
        sendOriginGeneration.initialize(repeating: 0, count: bufferCount)
        receiveTemplate = .allocate(capacity: 1)
        receiveTemplate.initialize(to: msghdr())
        receiveTemplate.pointee.msg_namelen = socklen_t(TDM_RECV_NAME_LEN)
        completions = .allocate(capacity: Int(completionBatch))
        completions.initialize(repeating: nil, count: Int(completionBatch))
        eventValue = .allocate(capacity: 1)
        eventValue.initialize(to: 0)
        rearmQueue = .allocate(capacity: tableCapacity)
        for bid in 0..<bufferCount {
            sendHeaders[bid].msg_name = UnsafeMutableRawPointer(sendNames + bid)
            sendHeaders[bid].msg_iov = sendVectors + bid
            sendHeaders[bid].msg_iovlen = 1
        }
    }

    deinit {
        buffers.deallocate()
        sendHeaders.deallocate()
        sendVectors.deallocate()
        sendNames.deallocate()
        sendOrigin.deallocate()
        sendOriginGeneration.deallocate()
        receiveTemplate.deallocate()
        completions.deallocate()
        eventValue.deallocate()
        rearmQueue.deallocate()
        streams.deallocate()
    }

    /// Thread body: set up the ring, loop until STOP, tear down.
    func run() {
        let setup = setUp()
        guard setup == 0, let ring else {
            tdm_store_release_i32(context.status, setup < 0 ? setup : -EINVAL)
            return
        }
        tdm_store_release_i32(context.status, WorkerContext.running)
        armEventRead()
        while running {
            let submitted = tdm_uring_submit_and_wait(ring, 1)
            if submitted < 0 && submitted != -EINTR && submitted != -EAGAIN && submitted != -EBUSY {
                tdm_stream_error(nil, context.counters)
            }
            let now = tdm_coarse_now_ns()
            reap(ring, now: now)
            drainCommands()
            finishIteration()
        }
        tearDown()
        tdm_store_release_i32(context.status, WorkerContext.exited)
    }

    private func setUp() -> Int32 {
        var error: Int32 = 0
        guard let created = tdm_uring_create(ringEntries, ringEntries * 4, &error) else { return error }
        ring = created
        guard let br = tdm_buf_ring_create(created, bufferCount, bufferGroup, &error) else { return error }
        bufferRing = br
        let mask = bufferCount - 1
        for bid in 0..<bufferCount {
            tdm_buf_ring_add(br, buffers + Int(bid * bufferSize), bufferSize, UInt16(bid), mask, bid)
        }
        tdm_buf_ring_advance(br, bufferCount)
        freeBuffers = Int(bufferCount)
        return 0
    }

    private func tearDown() {
        // Cancel and reap every armed request first: the kernel's own teardown of a closed ring runs later on a
        // workqueue, and until then an armed receive keeps its socket (and port) bound after the fd is closed.
        _ = tdm_uring_cancel_all(ring, 200)
        tdm_uring_destroy(ring)
        ring = nil
        tdm_buf_ring_destroy(nil, bufferRing, bufferCount, bufferGroup)
        bufferRing = nil
        for index in 0..<streams.count {
            let s = context.table + Int(streams.slots[index])
            if s.pointee.fd >= 0 { close(s.pointee.fd) }
            s.pointee.fd = -1
            s.pointee.armed = URingWorker.idle
            s.setState(Int(TDM_STREAM_FREE))
        }
    }

    // MARK: - Completions

    @inline(__always)
    private func reap(_ ring: UnsafeMutablePointer<io_uring>, now: UInt64) {
        var rounds = 0
        var handled: UInt32 = 0
        while rounds < 16 {
            let count = tdm_uring_peek_batch(ring, completions, completionBatch)
            if count == 0 { break }
            for index in 0..<Int(count) {
                guard let cqe = completions[index] else { continue }
                handle(cqe.pointee.user_data, result: cqe.pointee.res, flags: cqe.pointee.flags, now: now)
            }
            tdm_uring_cq_advance(ring, count)
            handled &+= count
            rounds += 1
            if count < completionBatch { break }
        }
        if handled > 0 { tdm_bump(&context.counters.pointee.batches, 1) }
    }

    @inline(__always)
    private func handle(_ userData: UInt64, result: Int32, flags: UInt32, now: UInt64) {
        switch userData >> URingWorker.kindShift {
        case URingWorker.kindReceive:
            handleReceive(userData, result: result, flags: flags, now: now)
        case URingWorker.kindSend:
            handleSend(bid: UInt32(truncatingIfNeeded: userData & 0xFFFF), result: result)
        case URingWorker.kindEvent:
            if running { armEventRead() }
        default:
            break
        }
    }

    @inline(__always)
    private func handleReceive(_ userData: UInt64, result: Int32, flags: UInt32, now: UInt64) {
        let slot = UInt32(truncatingIfNeeded: userData)
        let generation = UInt32(truncatingIfNeeded: userData >> 32) & URingWorker.generationMask
        let s = context.table + Int(slot)
        let ours = s.generation & URingWorker.generationMask == generation && s.state != UInt32(TDM_STREAM_FREE)
        let more = flags & UInt32(IORING_CQE_F_MORE) != 0
        if !more && ours { s.pointee.armed = URingWorker.idle }

        if flags & UInt32(IORING_CQE_F_BUFFER) != 0 {
            let bid = flags >> UInt32(IORING_CQE_BUFFER_SHIFT)
            freeBuffers -= 1
            if result > 0 && ours && s.state == UInt32(TDM_STREAM_ACTIVE) {
                forward(from: s, slot: slot, bid: bid, length: result, now: now)
            } else {
                if ours { tdm_stream_dropped(s, context.counters, DropReason.streamGone.raw) }
                returnBuffer(bid)
            }
        }
        if result < 0 {
            if result == -ENOBUFS {
                tdm_bump(&context.counters.pointee.buffer_shortages, 1)
            } else if result != -ECANCELED {
                tdm_stream_error(ours ? s : nil, context.counters)
            }
        }
        guard !more && ours else { return }
        if s.state == UInt32(TDM_STREAM_CLOSING) {
            finishRemoval(s)
        } else if s.state == UInt32(TDM_STREAM_ACTIVE) {
            queueRearm(slot)
        }
    }

    /// The hot path: account, latch, pick the destination, queue a zero-copy send from the peer socket.
    @inline(__always)
    private func forward(from s: UnsafeMutablePointer<tdm_stream>, slot: UInt32, bid: UInt32, length: Int32,
                         now: UInt64) {
        let buffer = buffers + Int(bid * bufferSize)
        var payload: UnsafeMutableRawPointer?
        var payloadLength: UInt32 = 0
        var name: UnsafeMutableRawPointer?
        var nameLength: UInt32 = 0
        var truncated = false
        guard tdm_recvmsg_parts(buffer, length, receiveTemplate, &payload, &payloadLength, &name, &nameLength,
                                &truncated), let payload, let name else {
            tdm_stream_error(s, context.counters)
            returnBuffer(bid)
            return
        }
        tdm_stream_received(s, context.counters, UInt64(payloadLength), now)
        if truncated {
            drop(s, .truncated, bid: bid)
            return
        }
        if context.divertSTUN(s, slot: slot, payload: payload, length: Int(payloadLength), name: name,
                              nameLength: nameLength) {
            returnBuffer(bid)
            return
        }
        switch StreamLatch.admit(s, source: name, sourceLength: nameLength, now: now, counters: context.counters) {
        case .accept: break
        case .dropStrictSource: drop(s, .strictSource, bid: bid); return
        case .dropBleed: drop(s, .bleed, bid: bid); return
        }
        var peerSlot = s.pointee.peer
        var peerGeneration = s.pointee.peer_generation
        if s.pointee.rtcp_peer != TDM_NO_PEER && MuxedRTCP.matches(payload, length: Int(payloadLength)) {
            // rtcp-mux leg toward separate ports: RTCP leaves from the other leg's RTCP socket.
            peerSlot = s.pointee.rtcp_peer
            peerGeneration = s.pointee.rtcp_peer_generation
        }
        guard peerSlot != TDM_NO_PEER else { drop(s, .noDestination, bid: bid); return }
        let peer = context.table + Int(peerSlot)
        guard peer.isActive(generation: peerGeneration) else {
            drop(s, .noDestination, bid: bid)
            return
        }
        let destinationLength = StreamLatch.destination(from: peer, into: sendNames + Int(bid))
        guard destinationLength > 0 else { drop(s, .noDestination, bid: bid); return }
        guard let ring, let sqe = tdm_uring_sqe(ring) else { drop(s, .sendFailed, bid: bid); return }
        let header = sendHeaders + Int(bid)
        header.pointee.msg_namelen = destinationLength
        sendVectors[Int(bid)].iov_base = payload
        sendVectors[Int(bid)].iov_len = Int(payloadLength)
        sendOrigin[Int(bid)] = slot
        sendOriginGeneration[Int(bid)] = s.pointee.generation
        tdm_prep_sendmsg(sqe, peer.pointee.fd, header, URingWorker.kindSend << URingWorker.kindShift | UInt64(bid))
    }

    @inline(__always)
    private func drop(_ s: UnsafeMutablePointer<tdm_stream>, _ reason: DropReason, bid: UInt32) {
        tdm_stream_dropped(s, context.counters, reason.raw)
        returnBuffer(bid)
    }

    @inline(__always)
    private func handleSend(bid: UInt32, result: Int32) {
        guard bid < bufferCount else { return }
        let origin = context.table + Int(sendOrigin[Int(bid)])
        let live = origin.generation == sendOriginGeneration[Int(bid)] && origin.state != UInt32(TDM_STREAM_FREE)
        if result >= 0 {
            if live {
                tdm_stream_forwarded(origin, context.counters, UInt64(result))
            } else {
                tdm_bump(&context.counters.pointee.packets_forwarded, 1)
                tdm_bump(&context.counters.pointee.bytes_forwarded, UInt64(result))
            }
        } else {
            tdm_stream_dropped(live ? origin : nil, context.counters, DropReason.sendFailed.raw)
        }
        returnBuffer(bid)
    }

    /// Hands a buffer back to the kernel; made visible in `finishIteration` with one tail store.
    @inline(__always)
    private func returnBuffer(_ bid: UInt32) {
        guard let bufferRing else { return }
        tdm_buf_ring_add(bufferRing, buffers + Int(bid * bufferSize), bufferSize, UInt16(truncatingIfNeeded: bid),
                         bufferCount - 1, pendingReturns)
        pendingReturns += 1
        freeBuffers += 1
    }

    private func finishIteration() {
        if pendingReturns > 0, let bufferRing {
            tdm_buf_ring_advance(bufferRing, pendingReturns)
            pendingReturns = 0
        }
        guard rearmCount > 0, freeBuffers > 0 else { return }
        for index in 0..<rearmCount {
            let slot = rearmQueue[index]
            let s = context.table + Int(slot)
            guard s.state == UInt32(TDM_STREAM_ACTIVE), s.pointee.armed == URingWorker.queuedForRearm else { continue }
            armReceive(s, slot: slot)
            tdm_bump(&context.counters.pointee.rearms, 1)
        }
        rearmCount = 0
    }

    // MARK: - Arming

    private func armReceive(_ s: UnsafeMutablePointer<tdm_stream>, slot: UInt32) {
        guard let ring, let sqe = tdm_uring_sqe(ring) else {
            queueRearm(slot)
            return
        }
        let generation = UInt64(s.pointee.generation & URingWorker.generationMask)
        let userData = URingWorker.kindReceive << URingWorker.kindShift | generation << 32 | UInt64(slot)
        tdm_prep_recvmsg_multishot(sqe, s.pointee.fd, receiveTemplate, bufferGroup, userData)
        s.pointee.armed = URingWorker.armed
    }

    private func queueRearm(_ slot: UInt32) {
        let s = context.table + Int(slot)
        guard s.pointee.armed != URingWorker.queuedForRearm, rearmCount < streams.capacity else { return }
        s.pointee.armed = URingWorker.queuedForRearm
        rearmQueue[rearmCount] = slot
        rearmCount += 1
    }

    private func armEventRead() {
        guard let ring, let sqe = tdm_uring_sqe(ring) else { return }
        tdm_prep_read(sqe, context.eventFD, eventValue, 8, URingWorker.kindEvent << URingWorker.kindShift)
    }

    // MARK: - Commands

    private func drainCommands() {
        guard running else { return }
        context.drainCommands { command in
            apply(command)
            return running
        }
    }

    private func apply(_ command: UnsafeMutablePointer<tdm_command>) {
        let slot = command.pointee.stream
        let s = context.table + Int(slot)
        switch command.pointee.kind {
        case CommandKind.add:
            guard s.generation == command.pointee.generation, s.state == UInt32(TDM_STREAM_PENDING) else { return }
            s.setState(Int(TDM_STREAM_ACTIVE))
            streams.append(slot, table: context.table)
            s.pointee.armed = URingWorker.idle
            if freeBuffers > 0 { armReceive(s, slot: slot) } else { queueRearm(slot) }
        case CommandKind.update:
            ForwardingEntry.apply(command, table: context.table)
        case CommandKind.latch:
            ForwardingEntry.latch(command, table: context.table, counters: context.counters)
        case CommandKind.remove:
            guard s.isActive(generation: command.pointee.generation) else { return }
            s.setState(Int(TDM_STREAM_CLOSING))
            s.pointee.keep_fd = command.pointee.flags == UInt32(TDM_REMOVE_DETACH) ? 1 : 0
            streams.remove(slot, table: context.table)
            // No walk over the streams whose peer this was: sends check the peer's generation (DataPlane README).
            if s.pointee.armed == URingWorker.armed, let ring, let sqe = tdm_uring_sqe(ring) {
                // Close only after the receive's final CQE: until then io_uring holds a reference to the socket
                // and the port would stay bound. If the receive already ended, the cancel finds nothing and
                // its final CQE (still in this batch or the next) finishes the removal.
                let generation = UInt64(s.pointee.generation & URingWorker.generationMask)
                let receive = URingWorker.kindReceive << URingWorker.kindShift | generation << 32 | UInt64(slot)
                tdm_prep_cancel_data(sqe, receive, URingWorker.kindCancel << URingWorker.kindShift)
            } else {
                finishRemoval(s)
            }
        case CommandKind.stop:
            running = false
        default:
            break
        }
    }

    /// Closes the socket (or, when detaching, lets go of it: control keeps it) and hands the slot back to control.
    private func finishRemoval(_ s: UnsafeMutablePointer<tdm_stream>) {
        // Submit what is queued first: a queued send may still name this fd number, which must not be reused
        // by the time the kernel looks it up.
        if let ring { _ = tdm_uring_submit(ring) }
        if s.pointee.fd >= 0 && s.pointee.keep_fd == 0 { close(s.pointee.fd) }
        s.pointee.keep_fd = 0
        s.pointee.fd = -1
        s.pointee.armed = URingWorker.idle
        s.pointee.peer = TDM_NO_PEER
        s.pointee.rtcp_peer = TDM_NO_PEER
        s.setState(Int(TDM_STREAM_FREE))
    }
}
