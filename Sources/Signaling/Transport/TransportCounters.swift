/// A snapshot of the transport's counters, taken with `SIPTransport.counters`.
///
/// Totals since start, except `connectionsOpen`, which is the number open at the time of the snapshot. Fields are
/// read one by one without a common lock, so a snapshot taken under load may be off by the messages in flight.
public struct TransportCounters: Sendable, Equatable {
    /// UDP datagrams delivered to the handler (keepalives and oversize drops excluded).
    public var datagramsIn: UInt64 = 0
    /// UDP datagrams written successfully.
    public var datagramsOut: UInt64 = 0
    /// Payload bytes of delivered UDP datagrams.
    public var datagramBytesIn: UInt64 = 0
    /// Payload bytes of UDP datagrams written successfully.
    public var datagramBytesOut: UInt64 = 0
    /// UDP datagrams that held only CR/LF/NUL/space (NAT keepalives), dropped.
    public var datagramKeepalivesIn: UInt64 = 0

    /// Whole SIP messages framed from TCP streams and delivered.
    public var streamMessagesIn: UInt64 = 0
    /// SIP messages written successfully to TCP connections.
    public var streamMessagesOut: UInt64 = 0
    /// Bytes read from TCP connections (including keepalives).
    public var streamBytesIn: UInt64 = 0
    /// Bytes of SIP messages written successfully to TCP connections.
    public var streamBytesOut: UInt64 = 0

    /// CRLFCRLF pings received on TCP (each answered with a CRLF pong).
    public var pingsReceived: UInt64 = 0
    /// CRLFCRLF pings sent with `SIPTransport.ping`.
    public var pingsSent: UInt64 = 0
    /// CRLF pongs received for our pings.
    public var pongsReceived: UInt64 = 0

    /// TCP streams closed because they could not be framed (no or bad Content-Length).
    public var framingErrors: UInt64 = 0
    /// Messages dropped for exceeding the maximum size (UDP: dropped; TCP: the connection is closed).
    public var oversizeDrops: UInt64 = 0

    /// TCP connections open now.
    public var connectionsOpen: UInt64 = 0
    /// TCP connections accepted from clients.
    public var connectionsAccepted: UInt64 = 0
    /// TCP connections opened by us because none existed towards a destination.
    public var connectionsOpened: UInt64 = 0
    /// TCP connections closed, for any reason.
    public var connectionsClosed: UInt64 = 0
    /// TCP connections closed by the idle timeout.
    public var idleClosures: UInt64 = 0
    /// Outbound TCP connection attempts that failed.
    public var connectFailures: UInt64 = 0

    /// Sends that failed (socket error, unknown socket or connection, transport shutting down).
    public var sendFailures: UInt64 = 0
    /// Read errors reported by sockets (for UDP typically ICMP unreachable from an earlier send).
    public var receiveErrors: UInt64 = 0
    /// UDP sockets that closed while the transport was running (NIO closes a datagram channel on a send error it
    /// cannot tolerate, such as ENETUNREACH or EPERM) and were bound again at the same address and port.
    public var datagramListenerReopens: UInt64 = 0
    /// Datagrams the keepalive twins received (replies to pings, and the rare other datagram carrying the marker,
    /// which is passed on to the normal receive path) and sent (pings). Also counted in `datagramsIn`/`datagramsOut`.
    public var keepaliveTwinDatagramsIn: UInt64 = 0
    public var keepaliveTwinDatagramsOut: UInt64 = 0
    /// Keepalive twins the kernel refused (bind or steering program); those listeners carry the pings themselves.
    public var keepaliveTwinFailures: UInt64 = 0

    public init() {}
}
