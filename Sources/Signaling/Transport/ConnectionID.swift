/// Identifies one TCP connection (accepted or opened) for as long as the transport runs.
///
/// RFC 5626 flows are connections: responses and in-flow requests go back over the connection a request came on, and
/// a registrar binding may be tied to it. IDs are never reused within one `SIPTransport`, so a stale ID refers to no
/// connection instead of to a different one.
public struct ConnectionID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// A number assigned in order of opening, starting at 1.
    public let rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: ConnectionID, rhs: ConnectionID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "conn#\(self.rawValue)" }
}
