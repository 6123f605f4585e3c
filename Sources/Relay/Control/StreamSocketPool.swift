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
/// 2. `settle` (once per ng batch) moves confirmed sockets to `idle` and parks them (`UDPSocket.park`: connected
///    to their own address), so that the kernel refuses stray datagrams from anyone else, exactly as for a closed
///    port, instead of queueing them into the socket's buffer for the next call.
/// 3. When the port allocator hands the port out again, `take` un-parks the socket and drops whatever was queued
///    before parking (counted in `strayDatagrams`): the new call never sees a previous call's media.
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
    /// Owned by control, parked (or, for a wildcard address, just left idle), ready for `take`.
    private(set) var idle: [LocalSocket: Kept] = [:]
    /// Datagrams that reached a kept socket between its stream's removal and its parking, dropped on reuse.
    private(set) var strayDatagrams: UInt64 = 0
    /// Sockets that were kept and then handed out again.
    private(set) var reused: UInt64 = 0

    /// Number of sockets held (idle and detaching).
    var count: Int { idle.count + detaching.count }

    /// Takes over a socket whose stream removal (with `detach: true`) has been queued.
    mutating func detached(_ socket: LocalSocket, kept: Kept, stream: StreamID) {
        if let previous = idle.removeValue(forKey: socket) { Glibc.close(previous.fd) }
        detaching[socket] = (kept, stream)
    }

    /// Moves every socket whose removal the data plane confirmed to `idle`, parked.
    mutating func settle(isRemoved: (StreamID) -> Bool) {
        guard !detaching.isEmpty else { return }
        for (socket, entry) in detaching where isRemoved(entry.stream) {
            detaching[socket] = nil
            park(socket, entry.kept)
        }
    }

    /// The kept socket of `socket`, ready to be added as a new stream, or nil (bind a new one). A socket whose
    /// removal is not confirmed yet is waited for (`waitUntilRemoved`, bounded); nil if that times out, in which
    /// case the socket stays here and a new bind of the port will fail as before.
    mutating func take(_ socket: LocalSocket, waitUntilRemoved: (StreamID) -> Bool) -> Kept? {
        if let entry = detaching[socket] {
            guard waitUntilRemoved(entry.stream) else { return nil }
            detaching[socket] = nil
            park(socket, entry.kept)
        }
        guard let kept = idle.removeValue(forKey: socket) else { return nil }
        let dropped = kept.local.isWildcard ? UDPSocket.drain(kept.fd) : UDPSocket.unpark(kept.fd)
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
        while closed < limit, let (socket, kept) = idle.first {
            idle[socket] = nil
            Glibc.close(kept.fd)
            closed += 1
        }
        return closed
    }

    /// Closes every idle socket, and every detaching one the data plane let go of. `force` closes the detaching
    /// ones regardless: only after the data plane was stopped (its workers joined), when nothing else uses them.
    mutating func closeAll(isRemoved: (StreamID) -> Bool, force: Bool) {
        for kept in idle.values { Glibc.close(kept.fd) }
        idle.removeAll()
        for (socket, entry) in detaching where force || isRemoved(entry.stream) {
            detaching[socket] = nil
            Glibc.close(entry.kept.fd)
        }
    }

    private mutating func park(_ socket: LocalSocket, _ kept: Kept) {
        if kept.local.isWildcard || UDPSocket.park(kept.fd, at: kept.local) {
            idle[socket] = kept
        } else {
            Glibc.close(kept.fd)
        }
    }
}

extension SocketEndpoint {
    /// 0.0.0.0 or ::. Such a socket is not parked: connecting would pick a source address and change its binding.
    var isWildcard: Bool { high == 0 && low == 0 }
}
