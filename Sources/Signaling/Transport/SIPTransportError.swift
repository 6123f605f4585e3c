import NIOCore

/// Why the transport could not do what was asked.
public enum SIPTransportError: Error, Equatable, Sendable {
    /// `start()` has not completed yet.
    case notStarted
    /// `start()` was called twice.
    case alreadyStarted
    /// `shutdown()` has begun; nothing more is sent.
    case shuttingDown
    /// No listener has this ID.
    case unknownLocalSocket(LocalSocketID)
    /// No open connection has this ID (it closed, or never existed).
    case unknownConnection(ConnectionID)
    /// A listener's host is not an IP address.
    case invalidListenerAddress(host: String, port: Int)
    /// No CRLF pong arrived within the timeout.
    case pongTimeout(ConnectionID)
    /// The connection closed while a ping awaited its pong.
    case connectionClosed(ConnectionID)
    /// A UDP listener cannot write to this address (broadcast, multicast, other family, off-host from loopback):
    /// refused before the write, which would close the listener (`DatagramDestinationFilter`).
    case unsendableDestination(SocketAddress)
}
