import NIOCore

/// What the transport tells its `InboundSIPHandler`.
public enum TransportEvent: Sendable {
    /// A whole SIP message arrived.
    case message(InboundSIP)
    /// A TCP connection closed (by either side, by idle timeout, by a framing error or at shutdown). A registrar
    /// uses this to notice that an RFC 5626 flow failed.
    case connectionClosed(ConnectionID, remote: SocketAddress, local: LocalSocketID)
}
