import NIOCore

/// A listener as it is after binding: its identity, the real local address, and what to advertise.
public struct BoundListener: Sendable, Hashable {
    /// The identity stamped on inbound messages and passed back to `send(_:to:via:)`.
    public let id: LocalSocketID
    /// UDP or TCP.
    public let transport: SIPTransportKind
    /// The bound local address (with the real port when the configuration asked for port 0).
    public let localAddress: SocketAddress
    /// The host to advertise in Via/Record-Route/Contact: the configured advertised host, else the bound IP.
    public let advertisedHost: String
    /// The port to advertise: the configured advertised port, else the bound port.
    public let advertisedPort: Int
    /// The configuration it was bound from.
    public let configuration: SIPListenerConfiguration
}
