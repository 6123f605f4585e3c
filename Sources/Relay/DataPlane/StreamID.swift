/// Names one stream socket in a `DataPlane`: a slot in the shared stream table plus the generation the slot had
/// when the stream was added, so that a stale id (stream removed, slot reused) is recognised instead of acting on
/// someone else's socket.
public struct StreamID: Sendable, Hashable, CustomStringConvertible {
    /// Index into the stream table.
    public let slot: UInt32
    /// Slot generation at allocation.
    public let generation: UInt32

    public init(slot: UInt32, generation: UInt32) {
        self.slot = slot
        self.generation = generation
    }

    public var description: String { "stream#\(slot).\(generation)" }
}

/// Per-stream forwarding behaviour (rtpengine's `symmetric`/`asymmetric`, `strict source`, `media handover`).
public struct ForwardingFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Learn the sender's source (for statistics) but send this leg's media to its advertised (SDP) endpoint.
    /// Without it the leg is symmetric: media for this leg goes to the source it was learned from.
    public static let asymmetric = ForwardingFlags(rawValue: 1 << 0)
    /// The first source latched is final at once (no learning window); packets from any other source are dropped.
    public static let strictSource = ForwardingFlags(rawValue: 1 << 1)
    /// A new source may take the stream over at any time, even after the learning window (mobile handover).
    /// Ignored with `strictSource`.
    public static let mediaHandover = ForwardingFlags(rawValue: 1 << 2)
}

/// How long a stream keeps re-learning its source after the first packet; after it, the source is locked and
/// other sources are dropped as RTP bleed (unless `.mediaHandover`). The window ends at whichever limit is hit
/// first; a zero limit is "no limit of that kind" (both zero: never locks).
public struct LearningWindow: Sendable, Hashable {
    /// Packets from the first one (1 = lock on the first packet); 0 = no packet limit.
    public var packets: UInt32
    /// Nanoseconds from the first packet (coarse clock, ~4 ms resolution); 0 = no time limit.
    public var nanoseconds: UInt64

    public init(packets: UInt32 = 0, nanoseconds: UInt64 = 3_000_000_000) {
        self.packets = packets
        self.nanoseconds = nanoseconds
    }

    /// 3 seconds, no packet limit.
    public static let standard = LearningWindow()
}

/// The forwarding entry control sets for one stream socket.
///
/// Packets received on stream A are sent *from* A's `peer` socket B, to B's learned endpoint — or B's
/// `advertised` endpoint when B has learned nothing yet or is `.asymmetric`. With neither, they are dropped and
/// counted as `noDestination`. A and its peer must live on the same worker (see `DataPlane.addStream`).
///
/// `rtcpPeer` demultiplexes an rtcp-mux leg toward a leg with separate RTP and RTCP ports: a packet that is RTCP
/// by RFC 5761 §4 (packet type 192–223) leaves from the `rtcpPeer` socket instead, to that socket's learned (or
/// advertised) endpoint, exactly as for `peer`. It must live on the same worker too.
public struct Forwarding: Sendable, Hashable {
    /// The other leg's stream socket, from which this stream's packets leave; nil drops everything.
    public var peer: StreamID?
    /// For an rtcp-mux stream: the socket RTCP packets leave from (the other leg's RTCP socket); nil sends RTCP
    /// through `peer` like everything else.
    public var rtcpPeer: StreamID?
    /// Where this leg's own media should go per SDP (used until learned, or always when asymmetric).
    public var advertised: SocketEndpoint?
    public var flags: ForwardingFlags
    public var learningWindow: LearningWindow
    /// Forget the learned source and start a new learning window (e.g. after a re-INVITE changed the SDP).
    public var resetLearning: Bool

    public init(peer: StreamID? = nil, advertised: SocketEndpoint? = nil, flags: ForwardingFlags = [],
                learningWindow: LearningWindow = .standard, resetLearning: Bool = false, rtcpPeer: StreamID? = nil) {
        self.peer = peer
        self.rtcpPeer = rtcpPeer
        self.advertised = advertised
        self.flags = flags
        self.learningWindow = learningWindow
        self.resetLearning = resetLearning
    }
}

/// Acknowledgement handle for a queued command: `DataPlane.isApplied(_:)` / `waitUntilApplied(_:timeout:)`.
public struct CommandTicket: Sendable, Hashable {
    /// Worker whose queue holds the command.
    public let worker: Int
    /// Position in that queue.
    public let position: UInt64
}
