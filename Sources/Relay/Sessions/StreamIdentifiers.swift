/// Identifies one packet stream (an RTP or an RTCP flow on one side of one media section) for as long as it lives.
/// Small integers so the data plane can index arrays with them and report counters back cheaply.
public struct MediaStreamID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    public static func < (lhs: MediaStreamID, rhs: MediaStreamID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "stream#\(rawValue)" }
}

/// Identifies one forwarding rule (a bidirectional RTP or RTCP bridge between two streams). It equals the raw value
/// of the rule's `a` leg stream, so it stays stable across updates.
public struct ForwardingID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    public static func < (lhs: ForwardingID, rhs: ForwardingID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "fwd#\(rawValue)" }
}

/// Index of a configured relay interface (position in `SessionConfiguration.interfaces`).
public struct InterfaceID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }
    public static func < (lhs: InterfaceID, rhs: InterfaceID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "if#\(rawValue)" }
}
