/// The SDP direction attribute of one side's media section (RFC 3264 §6.1), as that side wrote it.
/// The session layer passes it through to the other side and uses it to pick the timeout that applies to a stream:
/// a side that says it does not send is not expected to produce packets.
public enum MediaFlowDirection: String, Hashable, Sendable, CaseIterable {
    case sendrecv
    case sendonly
    case recvonly
    case inactive

    /// Whether the side that wrote this attribute intends to send media.
    public var sends: Bool { self == .sendrecv || self == .sendonly }

    /// Whether the side that wrote this attribute wants to receive media.
    public var receives: Bool { self == .sendrecv || self == .recvonly }
}
