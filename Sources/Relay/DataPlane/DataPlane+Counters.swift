import CShims

extension DataPlane {
    /// The stream's counters, read lock-free (relaxed loads of single-writer words); nil for an unknown id.
    public func counters(of id: StreamID) -> StreamCounters? {
        guard Int(id.slot) < table.capacity else { return nil }
        let s = table.slot(id.slot)
        guard s.generation == id.generation, s.state != UInt32(TDM_STREAM_FREE) else { return nil }
        var raw = tdm_stream_counters()
        tdm_stream_read_counters(s, &raw)
        guard s.generation == id.generation else { return nil }
        return StreamCounters(raw)
    }

    /// Counters plus latch state and learned source, read lock-free (the endpoint through a seqlock).
    public func snapshot(of id: StreamID) -> StreamSnapshot? {
        guard let counters = counters(of: id) else { return nil }
        let s = table.slot(id.slot)
        var learned = tdm_endpoint()
        var latch: UInt32 = 0
        guard tdm_stream_read_published(s, &learned, &latch) else { return nil }
        let state: LatchState
        switch latch {
        case UInt32(TDM_LATCH_LEARNING): state = .learning
        case UInt32(TDM_LATCH_LOCKED): state = .locked
        default: state = .unlearned
        }
        return StreamSnapshot(id: id, worker: Int(s.pointee.worker), latch: state,
                              learnedSource: SocketEndpoint(learned), counters: counters)
    }

    /// Relay-wide counters summed over workers.
    public func totals() -> RelayCounters {
        var total = RelayCounters()
        for handle in workers {
            var raw = tdm_worker_counters()
            tdm_worker_read_counters(handle.counters, &raw)
            total.add(raw)
        }
        return total
    }
}
