import NIOCore

/// Which pair of endpoints a TCP connection joins: the listener it belongs to and the remote address.
///
/// Keyed by listener as well as remote address because phones often bind their TCP source port to 5060: the same
/// remote address may then hold one connection to each of our listeners.
struct TCPFlowKey: Hashable, Sendable {
    let local: LocalSocketID
    let remote: SocketAddress
}

/// An open TCP connection as the connection table holds it.
struct TCPConnection: Sendable {
    let id: ConnectionID
    let key: TCPFlowKey
    let channel: any Channel
    /// The connection's pipeline handler, usable only on the channel's event loop (for pings).
    let handler: NIOLoopBound<SIPStreamConnectionHandler>
}
