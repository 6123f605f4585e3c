import CShims

/// Why a datagram was not forwarded.
public enum DropReason: Int, Sendable, CaseIterable {
    /// No peer, or the peer has neither a learned nor an advertised endpoint yet.
    case noDestination = 0
    /// `.strictSource`: the packet did not come from the latched source.
    case strictSource = 1
    /// RTP-bleed protection: a new source after the learning window, without `.mediaHandover`.
    case bleed = 2
    /// Larger than a receive buffer.
    case truncated = 3
    /// The send failed (also counted in `errors`).
    case sendFailed = 4
    /// Arrived while the stream was being removed.
    case streamGone = 5

    var raw: UInt32 { UInt32(rawValue) }
}

/// Counters of one stream socket, copied word by word with relaxed atomic loads (each value exact; the set is not
/// a single transaction). "Forwarded" counts this stream's packets that left through the peer socket.
public struct StreamCounters: Sendable, Hashable {
    public var packetsReceived: UInt64
    public var bytesReceived: UInt64
    public var packetsForwarded: UInt64
    public var bytesForwarded: UInt64
    public var errors: UInt64
    /// Times the latched source changed (during learning, or by media handover).
    public var sourceChanges: UInt64
    /// CLOCK_MONOTONIC_COARSE nanoseconds of the batch that last received on this stream; 0 = never.
    public var lastPacketNanoseconds: UInt64
    /// Indexed by `DropReason.rawValue`.
    public var drops: [UInt64]

    public func drops(_ reason: DropReason) -> UInt64 { drops[reason.rawValue] }
    public var totalDrops: UInt64 { drops.reduce(0, &+) }

    init(_ c: tdm_stream_counters) {
        var copy = c
        packetsReceived = c.packets_received
        bytesReceived = c.bytes_received
        packetsForwarded = c.packets_forwarded
        bytesForwarded = c.bytes_forwarded
        errors = c.errors
        sourceChanges = c.source_changes
        lastPacketNanoseconds = c.last_packet_ns
        drops = DropReason.allCases.map { tdm_drop_count(&copy, $0.raw) }
    }
}

/// Where a stream's source latching stands.
public enum LatchState: Sendable, Hashable {
    /// No packet yet.
    case unlearned
    /// Learning window open: the source may still change.
    case learning
    /// Source locked.
    case locked
}

/// What control can read about a stream without a round trip: counters and the learned source.
public struct StreamSnapshot: Sendable, Hashable {
    public var id: StreamID
    public var worker: Int
    public var latch: LatchState
    /// The source learned from received packets (nil before the first one).
    public var learnedSource: SocketEndpoint?
    public var counters: StreamCounters
}

/// Relay-wide counters, summed over the workers.
public struct RelayCounters: Sendable, Hashable {
    public var packetsReceived: UInt64 = 0
    public var bytesReceived: UInt64 = 0
    public var packetsForwarded: UInt64 = 0
    public var bytesForwarded: UInt64 = 0
    public var errors: UInt64 = 0
    /// Indexed by `DropReason.rawValue`.
    public var drops: [UInt64] = Array(repeating: 0, count: DropReason.allCases.count)
    /// Loop iterations that handled work (packets ÷ batches = average batch size).
    public var batches: UInt64 = 0
    /// io_uring: multishot receives re-armed after terminating.
    public var rearms: UInt64 = 0
    /// io_uring: receives that found the provided-buffer ring empty.
    public var bufferShortages: UInt64 = 0
    public var commands: UInt64 = 0
    /// Latches that became locked (a stream learned its final source): the kernel offload check's cue.
    public var latchLocks: UInt64 = 0
    /// STUN messages (ICE checks) the workers handed to control instead of forwarding them.
    public var stunDiverted: UInt64 = 0
    /// STUN messages dropped because a worker's STUN inbox was full (or the message larger than 1280 bytes).
    public var stunOverflows: UInt64 = 0

    public func drops(_ reason: DropReason) -> UInt64 { drops[reason.rawValue] }

    mutating func add(_ w: tdm_worker_counters) {
        var copy = w
        packetsReceived &+= w.packets_received
        bytesReceived &+= w.bytes_received
        packetsForwarded &+= w.packets_forwarded
        bytesForwarded &+= w.bytes_forwarded
        errors &+= w.errors
        for reason in DropReason.allCases { drops[reason.rawValue] &+= tdm_worker_drop_count(&copy, reason.raw) }
        batches &+= w.batches
        rearms &+= w.rearms
        bufferShortages &+= w.buffer_shortages
        commands &+= w.commands
        latchLocks &+= w.latch_locks
        stunDiverted &+= w.stun_diverted
        stunOverflows &+= w.stun_overflows
    }
}
