import CShims

/// One recvmmsg/sendmmsg worker: level-triggered epoll over its stream sockets and its eventfd.
///
/// Per-packet path: for a readable socket, `recvmmsg` fills up to `batchSize` preallocated buffers; each packet
/// goes through the same `StreamLatch` policy as the io_uring engine; the accepted ones are gathered into a send
/// vector whose iovecs point at the receive buffers (no copy) and leave with one `sendmmsg` on the peer socket.
/// All packets of one `recvmmsg` come from one stream, hence go to one peer and one destination — except on a
/// stream that demultiplexes rtcp-mux (`rtcp_peer` set), whose RFC 5761 RTCP packets are gathered into a second
/// send vector for the RTCP peer socket and its destination. A socket is
/// drained for at most `maxRoundsPerWakeup` batches so one busy stream cannot starve the others (epoll is level
/// triggered, so the rest is picked up on the next wait).
final class MMsgWorker {
    private let context: WorkerContext
    private var streams: WorkerStreamList
    private let batchSize: Int
    private let bufferSize: Int
    private var epollFD: Int32 = -1
    private let buffers: UnsafeMutableRawPointer
    private let receiveHeaders: UnsafeMutablePointer<tdm_mmsghdr>
    private let receiveVectors: UnsafeMutablePointer<iovec>
    private let receiveNames: UnsafeMutablePointer<sockaddr_in6>
    private let sendHeaders: UnsafeMutablePointer<tdm_mmsghdr>
    private let sendVectors: UnsafeMutablePointer<iovec>
    private let destination: UnsafeMutablePointer<sockaddr_in6>
    private let rtcpSendHeaders: UnsafeMutablePointer<tdm_mmsghdr>
    private let rtcpSendVectors: UnsafeMutablePointer<iovec>
    private let rtcpDestination: UnsafeMutablePointer<sockaddr_in6>
    private let tags: UnsafeMutablePointer<UInt64>
    private let maxEvents = 256
    private let maxRoundsPerWakeup = 8
    private var running = true

    /// epoll tag of the eventfd; stream tags are generation << 32 | slot and never reach this value.
    private static let eventTag = UInt64.max

    init(context: WorkerContext, tableCapacity: Int, batchSize: Int, bufferSize: Int) {
        self.context = context
        streams = WorkerStreamList(capacity: tableCapacity)
        self.batchSize = batchSize
        self.bufferSize = bufferSize
        buffers = UnsafeMutableRawPointer.allocate(byteCount: batchSize * bufferSize, alignment: 64)
        receiveHeaders = .allocate(capacity: batchSize)
        receiveHeaders.initialize(repeating: tdm_mmsghdr(), count: batchSize)
        receiveVectors = .allocate(capacity: batchSize)
        receiveNames = .allocate(capacity: batchSize)
        receiveNames.initialize(repeating: sockaddr_in6(), count: batchSize)
        sendHeaders = .allocate(capacity: batchSize)
        sendHeaders.initialize(repeating: tdm_mmsghdr(), count: batchSize)
        sendVectors = .allocate(capacity: batchSize)
        sendVectors.initialize(repeating: iovec(), count: batchSize)
        destination = .allocate(capacity: 1)
        destination.initialize(to: sockaddr_in6())
        rtcpSendHeaders = .allocate(capacity: batchSize)
        rtcpSendHeaders.initialize(repeating: tdm_mmsghdr(), count: batchSize)
        rtcpSendVectors = .allocate(capacity: batchSize)
        rtcpSendVectors.initialize(repeating: iovec(), count: batchSize)
        rtcpDestination = .allocate(capacity: 1)
        rtcpDestination.initialize(to: sockaddr_in6())
        tags = .allocate(capacity: maxEvents)
        tags.initialize(repeating: 0, count: maxEvents)
        for index in 0..<batchSize {
            receiveVectors[index] = iovec(iov_base: buffers + index * bufferSize, iov_len: bufferSize)
            receiveHeaders[index].msg_hdr.msg_iov = receiveVectors + index
            receiveHeaders[index].msg_hdr.msg_iovlen = 1
            receiveHeaders[index].msg_hdr.msg_name = UnsafeMutableRawPointer(receiveNames + index)
            sendHeaders[index].msg_hdr.msg_iov = sendVectors + index
            sendHeaders[index].msg_hdr.msg_iovlen = 1
            sendHeaders[index].msg_hdr.msg_name = UnsafeMutableRawPointer(destination)
            rtcpSendHeaders[index].msg_hdr.msg_iov = rtcpSendVectors + index
            rtcpSendHeaders[index].msg_hdr.msg_iovlen = 1
            rtcpSendHeaders[index].msg_hdr.msg_name = UnsafeMutableRawPointer(rtcpDestination)
        }
    }

    deinit {
        buffers.deallocate()
        receiveHeaders.deallocate()
        receiveVectors.deallocate()
        receiveNames.deallocate()
        sendHeaders.deallocate()
        sendVectors.deallocate()
        destination.deallocate()
        rtcpSendHeaders.deallocate()
        rtcpSendVectors.deallocate()
        rtcpDestination.deallocate()
        tags.deallocate()
        streams.deallocate()
    }

    func run() {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else {
            tdm_store_release_i32(context.status, -tdm_errno())
            return
        }
        let added = tdm_epoll_add(epollFD, context.eventFD, MMsgWorker.eventTag)
        guard added == 0 else {
            close(epollFD)
            tdm_store_release_i32(context.status, added)
            return
        }
        tdm_store_release_i32(context.status, WorkerContext.running)
        while running {
            let count = tdm_epoll_wait(epollFD, tags, UInt32(maxEvents), -1)
            if count < 0 {
                tdm_stream_error(nil, context.counters)
                continue
            }
            if count == 0 { continue }
            tdm_bump(&context.counters.pointee.batches, 1)
            let now = tdm_coarse_now_ns()
            var commandsSignalled = false
            for index in 0..<Int(count) {
                let tag = tags[index]
                if tag == MMsgWorker.eventTag {
                    commandsSignalled = true
                    continue
                }
                let slot = UInt32(truncatingIfNeeded: tag)
                let s = context.table + Int(slot)
                guard s.isActive(generation: UInt32(truncatingIfNeeded: tag >> 32)) else { continue }
                drain(s, slot: slot, now: now)
            }
            if commandsSignalled {
                var value: UInt64 = 0
                _ = read(context.eventFD, &value, 8)
                drainCommands()
            }
        }
        for index in 0..<streams.count {
            let s = context.table + Int(streams.slots[index])
            if s.pointee.fd >= 0 { close(s.pointee.fd) }
            s.pointee.fd = -1
            s.setState(Int(TDM_STREAM_FREE))
        }
        close(epollFD)
        tdm_store_release_i32(context.status, WorkerContext.exited)
    }

    /// Reads up to `maxRoundsPerWakeup` batches from one stream socket and forwards them.
    @inline(__always)
    private func drain(_ s: UnsafeMutablePointer<tdm_stream>, slot: UInt32, now: UInt64) {
        var round = 0
        while round < maxRoundsPerWakeup {
            round += 1
            for index in 0..<batchSize {
                receiveHeaders[index].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_in6>.size)
                receiveHeaders[index].msg_hdr.msg_flags = 0
            }
            let received = tdm_recvmmsg(s.pointee.fd, receiveHeaders, UInt32(batchSize))
            if received <= 0 {
                if received < 0 {
                    let error = tdm_errno()
                    if error != EAGAIN && error != EWOULDBLOCK && error != EINTR { tdm_stream_error(s, context.counters) }
                }
                return
            }
            forwardBatch(s, count: Int(received), now: now)
            if Int(received) < batchSize { return }
        }
    }

    @inline(__always)
    private func forwardBatch(_ s: UnsafeMutablePointer<tdm_stream>, count: Int, now: UInt64) {
        var pending = 0
        var destinationLength: UInt32 = 0
        var peer: UnsafeMutablePointer<tdm_stream>?
        var rtcpPending = 0
        var rtcpDestinationLength: UInt32 = 0
        var rtcpPeer: UnsafeMutablePointer<tdm_stream>?
        let demultiplexes = s.pointee.rtcp_peer != TDM_NO_PEER
        for index in 0..<count {
            let header = receiveHeaders + index
            let length = Int(header.pointee.msg_len)
            tdm_stream_received(s, context.counters, UInt64(length), now)
            if header.pointee.msg_hdr.msg_flags & Int32(MSG_TRUNC) != 0 {
                tdm_stream_dropped(s, context.counters, DropReason.truncated.raw)
                continue
            }
            if let base = receiveVectors[index].iov_base,
               context.divertSTUN(s, slot: UInt32(truncatingIfNeeded: context.table.distance(to: s)), payload: base,
                                  length: length, name: UnsafeRawPointer(receiveNames + index),
                                  nameLength: UInt32(header.pointee.msg_hdr.msg_namelen)) {
                continue
            }
            let verdict = StreamLatch.admit(s, source: UnsafeRawPointer(receiveNames + index),
                                            sourceLength: UInt32(header.pointee.msg_hdr.msg_namelen), now: now,
                                            counters: context.counters)
            switch verdict {
            case .accept: break
            case .dropStrictSource:
                tdm_stream_dropped(s, context.counters, DropReason.strictSource.raw)
                continue
            case .dropBleed:
                tdm_stream_dropped(s, context.counters, DropReason.bleed.raw)
                continue
            }
            guard let base = receiveVectors[index].iov_base else { continue }
            if demultiplexes && MuxedRTCP.matches(base, length: length) {
                if rtcpPeer == nil {
                    rtcpPeer = resolve(s.pointee.rtcp_peer, generation: s.pointee.rtcp_peer_generation,
                                       into: rtcpDestination, length: &rtcpDestinationLength)
                }
                guard rtcpPeer != nil else {
                    tdm_stream_dropped(s, context.counters, DropReason.noDestination.raw)
                    continue
                }
                rtcpSendVectors[rtcpPending].iov_base = base
                rtcpSendVectors[rtcpPending].iov_len = length
                rtcpSendHeaders[rtcpPending].msg_hdr.msg_namelen = rtcpDestinationLength
                rtcpPending += 1
                continue
            }
            if peer == nil {
                // The destination depends only on the peer, which this batch cannot change: compute it once.
                peer = resolve(s.pointee.peer, generation: s.pointee.peer_generation, into: destination,
                               length: &destinationLength)
            }
            guard peer != nil else {
                tdm_stream_dropped(s, context.counters, DropReason.noDestination.raw)
                continue
            }
            sendVectors[pending].iov_base = base
            sendVectors[pending].iov_len = length
            sendHeaders[pending].msg_hdr.msg_namelen = destinationLength
            pending += 1
        }
        if let peer, pending > 0 { send(s, headers: sendHeaders, through: peer.pointee.fd, count: pending) }
        if let rtcpPeer, rtcpPending > 0 {
            send(s, headers: rtcpSendHeaders, through: rtcpPeer.pointee.fd, count: rtcpPending)
        }
    }

    /// The active peer stream named by `slot`/`generation` with a usable destination (written to `address`), or
    /// nil when there is none.
    @inline(__always)
    private func resolve(_ slot: UInt32, generation: UInt32, into address: UnsafeMutablePointer<sockaddr_in6>,
                         length: inout UInt32) -> UnsafeMutablePointer<tdm_stream>? {
        guard slot != TDM_NO_PEER else { return nil }
        let candidate = context.table + Int(slot)
        guard candidate.isActive(generation: generation) else { return nil }
        length = StreamLatch.destination(from: candidate, into: address)
        return length > 0 ? candidate : nil
    }

    /// sendmmsg with partial-send handling: a failing message is counted and skipped (bounded by `count`).
    @inline(__always)
    private func send(_ s: UnsafeMutablePointer<tdm_stream>, headers: UnsafeMutablePointer<tdm_mmsghdr>,
                      through fd: Int32, count: Int) {
        var next = 0
        while next < count {
            let sent = tdm_sendmmsg(fd, headers + next, UInt32(count - next))
            if sent > 0 {
                for index in next..<(next + Int(sent)) {
                    tdm_stream_forwarded(s, context.counters, UInt64(headers[index].msg_len))
                }
                next += Int(sent)
            } else {
                tdm_stream_dropped(s, context.counters, DropReason.sendFailed.raw)
                next += 1
            }
        }
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
            let tag = UInt64(s.pointee.generation) << 32 | UInt64(slot)
            if tdm_epoll_add(epollFD, s.pointee.fd, tag) != 0 { tdm_stream_error(s, context.counters) }
        case CommandKind.update:
            ForwardingEntry.apply(command, table: context.table)
        case CommandKind.latch:
            ForwardingEntry.latch(command, table: context.table, counters: context.counters)
        case CommandKind.remove:
            guard s.isActive(generation: command.pointee.generation) else { return }
            s.setState(Int(TDM_STREAM_CLOSING))
            streams.remove(slot, table: context.table)
            // No walk over the streams whose peer this was: sends check the peer's generation (DataPlane README).
            _ = tdm_epoll_del(epollFD, s.pointee.fd)
            let detach = command.pointee.flags == UInt32(TDM_REMOVE_DETACH)
            if s.pointee.fd >= 0 && !detach { close(s.pointee.fd) }
            s.pointee.fd = -1
            s.pointee.peer = TDM_NO_PEER
            s.pointee.rtcp_peer = TDM_NO_PEER
            s.setState(Int(TDM_STREAM_FREE))
        case CommandKind.stop:
            running = false
        default:
            break
        }
    }
}
