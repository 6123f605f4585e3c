/// Counters the data plane keeps for the packets it received on one stream; the session layer stores the latest
/// values it was told (`SessionTable.updateCounters`) for `query`, `delete` and timeouts.
public struct MediaCounters: Hashable, Sendable {
    public var packets: UInt64
    public var bytes: UInt64
    public var errors: UInt64

    public init(packets: UInt64 = 0, bytes: UInt64 = 0, errors: UInt64 = 0) {
        self.packets = packets
        self.bytes = bytes
        self.errors = errors
    }

    /// Sum that wraps instead of trapping (counters come from outside).
    public static func + (lhs: MediaCounters, rhs: MediaCounters) -> MediaCounters {
        MediaCounters(packets: lhs.packets &+ rhs.packets, bytes: lhs.bytes &+ rhs.bytes, errors: lhs.errors &+ rhs.errors)
    }
}

/// One RTP or RTCP flow on one side of a media section (rtpengine's `packet_stream`): the relay socket that side
/// sends to, and what the data plane has seen on it.
struct PacketStream: Hashable, Sendable {
    let id: MediaStreamID
    let kind: StreamKind
    /// The relay socket; for RTCP under rtcp-mux it is the RTP stream's socket.
    var local: LocalSocket
    /// RTCP sharing the RTP socket.
    var muxed: Bool
    /// The source the data plane learned (symmetric RTP), if it reported one.
    var learned: MediaEndpoint?
    var counters = MediaCounters()
    var lastPacket: SessionTime?
    /// The kernel forwards this stream (nftables offload); reported by the driver, shown by `query`.
    var inKernel = false

    init(id: MediaStreamID, kind: StreamKind, local: LocalSocket, muxed: Bool) {
        self.id = id
        self.kind = kind
        self.local = local
        self.muxed = muxed
    }
}

extension MediaCounters {
    /// Adds `other` (wrapping: totals of cumulative counters may wrap, differences stay right).
    mutating func add(_ other: MediaCounters) {
        packets &+= other.packets
        bytes &+= other.bytes
        errors &+= other.errors
    }

    /// Subtracts `other` (wrapping).
    mutating func subtract(_ other: MediaCounters) {
        packets &-= other.packets
        bytes &-= other.bytes
        errors &-= other.errors
    }
}
