import CShims
#if canImport(Glibc)
import Glibc
#endif

/// Bound UDP sockets of freed ports, kept open so that the port's next allocation reuses the socket instead of
/// closing it and later paying `socket` + `setsockopt` ×2 + `bind` + `getsockname` + `close` again (issue 3: ~11%
/// of the relay's CPU per call went there).
///
/// Life of a kept socket:
/// 1. The call frees the port: the executor removes the stream with `detach: true` and hands the socket here
///    (`detached`). The worker may still read it until it confirms the removal.
/// 2. `settle` (once per ng batch) moves confirmed sockets to `idle`, resting: still open and unconnected.
/// 3. `parkRested` (once per clock second) parks the sockets that rested through a whole tick
///    (`UDPSocket.park`: connected to their own address), so that the kernel refuses stray datagrams from anyone
///    else, exactly as for a closed port, instead of queueing them into the socket's buffer for the next call.
///    Why not at once: the allocator's FIFO hands a freed port out again within a fraction of a second when calls
///    churn, and parking plus un-parking cost two `connect`s per socket, eight per call (~8 % of the relay's CPU
///    per call in `perf ng`). A resting socket queues strays for one to two seconds at most, bounded by its
///    receive buffer, and they are dropped on reuse like any other.
/// 4. When the port allocator hands the port out again, `take` un-parks the socket if it was parked and drops
///    whatever was queued (counted in `strayDatagrams`): the new call never sees a previous call's media.
///
/// What stays true: the port allocator alone decides which port is free (so "ran out of ports" and the reuse
/// order are unchanged, and a freed port is reusable at once); a socket that cannot be parked, un-parked or
/// drained is closed, and the port is bound afresh; `closeAll` closes every kept socket on a clean stop. The price
/// is one descriptor per freed port of the range (the pool never grows beyond the port range): the executor keeps
/// open + kept sockets within its `descriptorBudget`, and when binding still fails for lack of descriptors it
/// closes idle sockets (`evict`) and tries again.
///
/// Not thread-safe: only the control thread uses it.
struct StreamSocketPool {
    struct Kept: Equatable {
        let fd: Int32
        let local: SocketEndpoint
    }

    /// Removed from the data plane with `detach`, the worker's confirmation outstanding.
    private(set) var detaching: [LocalSocket: (kept: Kept, stream: StreamID)] = [:]
    /// A socket owned by control, ready for `take`.
    struct Idle {
        let kept: Kept
        /// Connected to its own address (`UDPSocket.park`); false while it rests, and always for a wildcard one.
        var parked: Bool
        /// The clock tick it started resting in; a socket freed again since is in the resting lists twice, and
        /// only its latest entry counts.
        var restedAt: UInt32
    }

    /// Owned by control, resting or parked, ready for `take`.
    private(set) var idle: [LocalSocket: Idle] = [:]
    /// Sockets that became idle since the last `parkRested`, and those of the tick before (parked at the next).
    private var restingSinceTick: [LocalSocket] = []
    private var restingBeforeTick: [LocalSocket] = []
    /// Counts `parkRested` calls.
    private var tick: UInt32 = 0
    /// Datagrams that reached a kept socket between its stream's removal and its reuse, dropped on reuse.
    private(set) var strayDatagrams: UInt64 = 0
    /// Sockets that were kept and then handed out again.
    private(set) var reused: UInt64 = 0

    /// Number of sockets held (idle and detaching).
    var count: Int { idle.count + detaching.count }

    /// Takes over a socket whose stream removal (with `detach: true`) has been queued.
    mutating func detached(_ socket: LocalSocket, kept: Kept, stream: StreamID) {
        if let previous = idle.removeValue(forKey: socket) { Glibc.close(previous.kept.fd) }
        detaching[socket] = (kept, stream)
    }

    /// Moves every socket whose removal the data plane confirmed to `idle`, resting.
    mutating func settle(isRemoved: (StreamID) -> Bool) {
        guard !detaching.isEmpty else { return }
        for (socket, entry) in detaching where isRemoved(entry.stream) {
            detaching[socket] = nil
            rest(socket, entry.kept)
        }
    }

    /// Parks the idle sockets that rested since before the previous call (the clock's once-a-second tick), so a
    /// socket rests one to two ticks. A socket that cannot be parked is closed. Returns how many were parked.
    @discardableResult
    mutating func parkRested() -> Int {
        var parked = 0
        for socket in restingBeforeTick {
            // `rest` lists no wildcard socket, so every entry here can be parked.
            guard let entry = idle[socket], !entry.parked, entry.restedAt == tick &- 1 else { continue }
            if UDPSocket.park(entry.kept.fd, at: entry.kept.local) {
                idle[socket]?.parked = true
                parked += 1
            } else {
                idle[socket] = nil
                Glibc.close(entry.kept.fd)
            }
        }
        swap(&restingBeforeTick, &restingSinceTick)
        restingSinceTick.removeAll(keepingCapacity: true)
        tick &+= 1
        return parked
    }

    /// The kept socket of `socket`, ready to be added as a new stream, or nil (bind a new one). A socket whose
    /// removal is not confirmed yet is waited for (`waitUntilRemoved`, bounded); nil if that times out, in which
    /// case the socket stays here and a new bind of the port will fail as before.
    mutating func take(_ socket: LocalSocket, waitUntilRemoved: (StreamID) -> Bool) -> Kept? {
        if let entry = detaching[socket] {
            guard waitUntilRemoved(entry.stream) else { return nil }
            detaching[socket] = nil
            rest(socket, entry.kept)
        }
        guard let entry = idle.removeValue(forKey: socket) else { return nil }
        let kept = entry.kept
        let dropped = entry.parked ? UDPSocket.unpark(kept.fd) : UDPSocket.drain(kept.fd)
        guard let dropped else {
            Glibc.close(kept.fd)
            return nil
        }
        strayDatagrams &+= UInt64(dropped)
        reused &+= 1
        return kept
    }

    /// Closes up to `limit` idle sockets (the process ran out of descriptors). Returns how many.
    @discardableResult
    mutating func evict(limit: Int) -> Int {
        var closed = 0
        while closed < limit, let (socket, entry) = idle.first {
            idle[socket] = nil
            Glibc.close(entry.kept.fd)
            closed += 1
        }
        return closed
    }

    /// Closes every idle socket, and every detaching one the data plane let go of. `force` closes the detaching
    /// ones regardless: only after the data plane was stopped (its workers joined), when nothing else uses them.
    mutating func closeAll(isRemoved: (StreamID) -> Bool, force: Bool) {
        for entry in idle.values { Glibc.close(entry.kept.fd) }
        idle.removeAll()
        restingSinceTick.removeAll()
        restingBeforeTick.removeAll()
        for (socket, entry) in detaching where force || isRemoved(entry.stream) {
            detaching[socket] = nil
            Glibc.close(entry.kept.fd)
        }
    }

    private mutating func rest(_ socket: LocalSocket, _ kept: Kept) {
        idle[socket] = Idle(kept: kept, parked: false, restedAt: tick)
        if !kept.local.isWildcard { restingSinceTick.append(socket) }
    }
}

extension SocketEndpoint {
    /// 0.0.0.0 or ::. Such a socket is not parked: connecting would pick a source address and change its binding.
    var isWildcard: Bool { high == 0 && low == 0 }
}
