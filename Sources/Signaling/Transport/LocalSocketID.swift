/// Identifies one bound listener (local address, port and transport) of a `SIPTransport`.
///
/// This is the key to "reply from the same socket": a phone behind NAT opened a pinhole towards exactly one local
/// address and port, so every message to it — responses, and later requests such as OPTIONS keepalives or an INVITE
/// — must leave from that pair. The transport stamps every inbound message with the `LocalSocketID` it arrived on;
/// the registrar stores it with the binding and hands it back to `send(_:to:via:)`.
///
/// It is a small value (the listener's index in the configuration), cheap to store per binding. It is stable for a
/// given configuration; across restarts with a changed configuration, map it back through
/// `SIPTransport.localSocketID(for:transport:)` using the stored local address.
public struct LocalSocketID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The listener's position in `SIPTransportConfiguration.listeners`.
    public let index: Int

    public init(index: Int) {
        self.index = index
    }

    public static func < (lhs: LocalSocketID, rhs: LocalSocketID) -> Bool { lhs.index < rhs.index }

    public var description: String { "socket#\(self.index)" }
}
