import CShims

extension DataPlane {
    /// Registers a bound UDP socket as a stream socket. The data plane owns `fd` from now on (it closes it on
    /// removal or stop); on a thrown error the caller still owns it.
    ///
    /// - Parameter worker: the worker to own it; nil picks the least loaded one. Streams that forward to each
    ///   other must share a worker: add the second leg with `worker: id.worker` of the first (see `worker(of:)`).
    public func addStream(fd: Int32, worker: Int? = nil) throws(DataPlaneError) -> StreamID {
        guard let local = UDPSocket.localEndpoint(of: fd) else {
            throw .systemCall("getsockname", errno: tdm_errno())
        }
        return try addStream(fd: fd, family: local.family, worker: worker)
    }

    /// `addStream(fd:worker:)` for a caller that knows the socket's address family (it bound the socket), which
    /// saves the `getsockname` on the ng command path.
    public func addStream(fd: Int32, family: Int32, worker: Int? = nil) throws(DataPlaneError) -> StreamID {
        if let worker, worker < 0 || worker >= workers.count { throw .noSuchWorker(worker) }
        return try control.withLock { state throws(DataPlaneError) -> StreamID in
            guard !state.stopped else { throw .stopped }
            state.slots.reclaim { table.slot($0).state == UInt32(TDM_STREAM_FREE) }
            let owner = worker ?? state.slots.leastLoadedWorker
            guard let slot = state.slots.take(worker: owner) else { throw .tooManyStreams }
            let s = table.slot(slot)
            tdm_stream_prepare(s, fd, UInt32(owner), family)
            let generation = s.generation &+ 1
            s.setGeneration(generation)
            s.setState(Int(TDM_STREAM_PENDING))
            var command = tdm_command()
            command.kind = UInt32(TDM_CMD_ADD)
            command.stream = slot
            command.generation = generation
            guard send(&command, to: owner, &state) != nil else {
                s.setState(Int(TDM_STREAM_FREE))
                state.slots.giveBack(slot)
                throw .commandQueueFull(worker: owner)
            }
            return StreamID(slot: slot, generation: generation)
        }
    }

    /// Convenience for a call leg pair: adds `fd` on the same worker as `partner`.
    public func addStream(fd: Int32, besides partner: StreamID) throws(DataPlaneError) -> StreamID {
        guard let owner = worker(of: partner) else { throw .unknownStream(partner) }
        return try addStream(fd: fd, worker: owner)
    }

    /// The worker owning a live stream, nil for an unknown id.
    public func worker(of id: StreamID) -> Int? {
        control.withLock { state -> Int? in
            guard Int(id.slot) < table.capacity, state.slots.phase[Int(id.slot)] == .live,
                  table.slot(id.slot).generation == id.generation else { return nil }
            return Int(state.slots.owner[Int(id.slot)])
        }
    }

    /// Replaces the stream's forwarding entry. Commands to one worker apply in order; wait on the ticket when
    /// later work depends on it having been applied.
    @discardableResult
    public func updateForwarding(_ id: StreamID, _ forwarding: Forwarding) throws(DataPlaneError) -> CommandTicket {
        try control.withLock { state throws(DataPlaneError) -> CommandTicket in
            guard !state.stopped else { throw .stopped }
            let owner = try liveOwner(of: id, in: state)
            var command = Self.command(TDM_CMD_UPDATE, for: id)
            command.peer = TDM_NO_PEER
            if let peer = forwarding.peer {
                let peerOwner = try liveOwner(of: peer, in: state)
                guard peerOwner == owner else { throw .peerOnOtherWorker(stream: id, peer: peer) }
                command.peer = peer.slot
                command.peer_generation = peer.generation
            }
            command.rtcp_peer = TDM_NO_PEER
            if let rtcpPeer = forwarding.rtcpPeer {
                let rtcpOwner = try liveOwner(of: rtcpPeer, in: state)
                guard rtcpOwner == owner else { throw .peerOnOtherWorker(stream: id, peer: rtcpPeer) }
                command.rtcp_peer = rtcpPeer.slot
                command.rtcp_peer_generation = rtcpPeer.generation
            }
            command.flags = forwarding.flags.rawValue
            command.learn_packets_limit = forwarding.learningWindow.packets
            command.learn_window_ns = forwarding.learningWindow.nanoseconds
            command.reset_learning = forwarding.resetLearning ? 1 : 0
            if let advertised = forwarding.advertised { command.advertised = advertised.raw }
            return try submit(&command, to: owner, &state)
        }
    }

    /// Locks the stream's latch to `source` (replacing what it learned): for a peer that authenticated itself
    /// from there (a nominated ICE check). Media from other sources is then bleed, as after any lock.
    @discardableResult
    public func latch(_ id: StreamID, to source: SocketEndpoint) throws(DataPlaneError) -> CommandTicket {
        try control.withLock { state throws(DataPlaneError) -> CommandTicket in
            guard !state.stopped else { throw .stopped }
            let owner = try liveOwner(of: id, in: state)
            var command = Self.command(TDM_CMD_LATCH, for: id)
            command.advertised = source.raw
            return try submit(&command, to: owner, &state)
        }
    }

    /// Asks the owning worker to stop forwarding for the stream and close its socket. Streams forwarding through
    /// it lose their peer (their packets count as `noDestination`). The port is reusable once
    /// `isRemoved(_:)` / `waitUntilRemoved(_:timeout:)` says so.
    ///
    /// - Parameter detach: leave the socket open instead: once `isRemoved` holds, the caller owns `fd` again
    ///   (still bound, not read by anyone) and may add it as a new stream or close it. This is what lets the relay
    ///   keep a freed port's socket for its next call instead of closing and binding it again.
    @discardableResult
    public func removeStream(_ id: StreamID, detach: Bool = false) throws(DataPlaneError) -> CommandTicket {
        try control.withLock { state throws(DataPlaneError) -> CommandTicket in
            guard !state.stopped else { throw .stopped }
            let owner = try liveOwner(of: id, in: state)
            var command = Self.command(TDM_CMD_REMOVE, for: id)
            command.flags = detach ? UInt32(TDM_REMOVE_DETACH) : 0
            let ticket = try submit(&command, to: owner, &state)
            state.slots.beginRelease(id.slot)
            return ticket
        }
    }

    /// True once the worker has closed the stream's socket (or the id is stale).
    public func isRemoved(_ id: StreamID) -> Bool {
        guard Int(id.slot) < table.capacity else { return true }
        let s = table.slot(id.slot)
        return s.generation != id.generation || s.state == UInt32(TDM_STREAM_FREE)
    }

    /// Polls `isRemoved` until true or `timeout`; bounded.
    public func waitUntilRemoved(_ id: StreamID, timeout: Duration = .seconds(1)) -> Bool {
        if isRemoved(id) { return true }
        flushWakes()
        return DataPlane.poll(timeout: timeout) { isRemoved(id) }
    }

    /// True once the worker has applied the command.
    public func isApplied(_ ticket: CommandTicket) -> Bool {
        guard ticket.worker >= 0 && ticket.worker < workers.count else { return false }
        return tdm_command_queue_applied(workers[ticket.worker].queue) > ticket.position
    }

    /// Polls `isApplied` until true or `timeout`; bounded.
    public func waitUntilApplied(_ ticket: CommandTicket, timeout: Duration = .seconds(1)) -> Bool {
        if isApplied(ticket) { return true }
        flushWakes()
        return DataPlane.poll(timeout: timeout) { isApplied(ticket) }
    }

    /// A command of `kind` addressed to one stream (slot and generation, so a stale id is ignored by the worker).
    private static func command(_ kind: Int, for id: StreamID) -> tdm_command {
        var command = tdm_command()
        command.kind = UInt32(kind)
        command.stream = id.slot
        command.generation = id.generation
        return command
    }

    /// Queues `command` to `owner`; a full queue is an error the caller reports.
    private func submit(_ command: inout tdm_command, to owner: Int,
                        _ state: inout ControlState) throws(DataPlaneError) -> CommandTicket {
        guard let position = send(&command, to: owner, &state) else { throw .commandQueueFull(worker: owner) }
        return CommandTicket(worker: owner, position: position)
    }

    private func liveOwner(of id: StreamID, in state: ControlState) throws(DataPlaneError) -> Int {
        guard Int(id.slot) < table.capacity, state.slots.phase[Int(id.slot)] == .live,
              table.slot(id.slot).generation == id.generation else { throw .unknownStream(id) }
        return Int(state.slots.owner[Int(id.slot)])
    }

    static func poll(timeout: Duration, _ condition: () -> Bool) -> Bool {
        let (seconds, attoseconds) = timeout.components
        let budget = UInt64(max(0, seconds)) &* 1_000_000_000 &+ UInt64(max(0, attoseconds) / 1_000_000_000)
        let deadline = tdm_coarse_now_ns() &+ budget
        // A worker applies a command within microseconds of its eventfd wake-up, while one usleep costs 100 µs or
        // more: yield a bounded number of times first, and sleep only when the worker is really busy.
        for _ in 0..<256 {
            if condition() { return true }
            sched_yield()
        }
        while true {
            if condition() { return true }
            if tdm_coarse_now_ns() >= deadline { return false }
            usleep(100)
        }
    }
}
