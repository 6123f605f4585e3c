import CShims

/// The slots one worker owns, as a dense array of slot indices (swap-remove; each slot remembers its position in
/// `list_index`). Needed when a stream goes away (clear every forwarding entry pointing at it), to re-arm
/// receives, and to close everything at stop. Capacity is the table size, so it never reallocates.
struct WorkerStreamList {
    let slots: UnsafeMutablePointer<UInt32>
    let capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        slots = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
    }

    func deallocate() { slots.deallocate() }

    mutating func append(_ slot: UInt32, table: UnsafeMutablePointer<tdm_stream>) {
        guard count < capacity else { return }
        slots[count] = slot
        table[Int(slot)].list_index = UInt32(count)
        count += 1
    }

    mutating func remove(_ slot: UInt32, table: UnsafeMutablePointer<tdm_stream>) {
        let position = Int(table[Int(slot)].list_index)
        guard position < count, slots[position] == slot else { return }
        count -= 1
        let moved = slots[count]
        slots[position] = moved
        table[Int(moved)].list_index = UInt32(position)
    }
}

/// Applies control commands to a worker's slots; shared by both engines so that commands mean the same thing.
enum ForwardingEntry {
    /// UPDATE: replace the forwarding entry of an active stream (ignored for a stale id).
    static func apply(_ command: UnsafePointer<tdm_command>, table: UnsafeMutablePointer<tdm_stream>) {
        let s = table + Int(command.pointee.stream)
        guard s.isActive(generation: command.pointee.generation) else { return }
        s.pointee.peer = command.pointee.peer
        s.pointee.peer_generation = command.pointee.peer_generation
        s.pointee.rtcp_peer = command.pointee.rtcp_peer
        s.pointee.rtcp_peer_generation = command.pointee.rtcp_peer_generation
        s.pointee.flags = command.pointee.flags
        s.pointee.learn_packets_limit = command.pointee.learn_packets_limit
        s.pointee.learn_window_ns = command.pointee.learn_window_ns
        s.pointee.advertised = command.pointee.advertised
        if command.pointee.reset_learning != 0 {
            s.pointee.latch = UInt32(TDM_LATCH_NONE)
            s.pointee.learned = tdm_endpoint()
            s.pointee.learn_packets_seen = 0
            tdm_stream_publish(s)
        }
    }

    /// LATCH: the stream's peer proved itself at `command.advertised` (a nominated ICE check that verified with the
    /// stream's password), so that source becomes the learned one and the latch locks, whatever was learned
    /// before. This is how an ICE peer that moves (network change, ICE restart) takes its stream along; a packet
    /// that is not authenticated never gets here (media from a new source after locking is still bleed).
    static func latch(_ command: UnsafePointer<tdm_command>, table: UnsafeMutablePointer<tdm_stream>,
                      counters: UnsafeMutablePointer<tdm_worker_counters>) {
        let s = table + Int(command.pointee.stream)
        guard s.isActive(generation: command.pointee.generation) else { return }
        var source = command.pointee.advertised
        guard source.len > 0 else { return }
        let known = withUnsafePointer(to: &source.sa) { tdm_endpoint_matches(&s.pointee.learned, $0, source.len) }
        if !known {
            if s.pointee.latch != UInt32(TDM_LATCH_NONE) { tdm_stream_source_changed(s) }
            s.pointee.learned = source
        }
        if s.pointee.latch != UInt32(TDM_LATCH_LOCKED) {
            if s.pointee.latch == UInt32(TDM_LATCH_NONE) { s.pointee.learn_started_ns = tdm_coarse_now_ns() }
            StreamLatch.lock(s, counters)
        }
        tdm_stream_publish(s)
    }
}
