/// Which kind of packets a stream or forwarding rule carries.
public enum StreamKind: String, Hashable, Sendable {
    case rtp = "RTP"
    case rtcp = "RTCP"
}

/// One side of a forwarding rule: the relay socket facing that side and where that side's packets should go.
public struct ForwardingLeg: Hashable, Sendable {
    /// The stream whose counters the data plane reports for packets received on this leg.
    public var stream: MediaStreamID
    /// The relay socket this side sends to (and that the other side's packets leave from towards this side).
    public var local: LocalSocket
    /// True when this is RTCP sharing the RTP socket (rtcp-mux): the data plane tells RTP from RTCP by payload
    /// type (RFC 5761 §4).
    public var muxed: Bool
    /// Where packets for this side go: its advertised endpoint. Nil while unknown (not answered yet) or on hold
    /// (`0.0.0.0`); the data plane then learns it from this side's first packet unless `learning` is asymmetric,
    /// or drops.
    public var destination: MediaEndpoint?
    /// How the data plane treats the source of packets arriving from this side.
    public var learning: LearningFlags

    public init(stream: MediaStreamID, local: LocalSocket, muxed: Bool, destination: MediaEndpoint?, learning: LearningFlags) {
        self.stream = stream
        self.local = local
        self.muxed = muxed
        self.destination = destination
        self.learning = learning
    }
}

/// A bidirectional bridge: packets received on `a.local` leave from `b.local` towards `b`'s destination, and the
/// other way round. One rule per media section for RTP and one for RTCP.
public struct ForwardingRule: Hashable, Sendable {
    public var id: ForwardingID
    public var kind: StreamKind
    public var a: ForwardingLeg
    public var b: ForwardingLeg

    public init(id: ForwardingID, kind: StreamKind, a: ForwardingLeg, b: ForwardingLeg) {
        self.id = id
        self.kind = kind
        self.a = a
        self.b = b
    }
}
