import NIOCore

/// Everything `SIPTransport` needs to know before it binds.
public struct SIPTransportConfiguration: Sendable {
    /// The listeners, bound in this order; a listener's index is its `LocalSocketID`.
    public var listeners: [SIPListenerConfiguration]

    /// Event loop threads when the transport creates its own group (ignored when a group is passed in).
    public var eventLoopThreads: Int = System.coreCount

    // MARK: UDP

    /// Datagrams read per `recvmmsg` call (NIO's vector reads). 64 turns a burst into a few system calls.
    public var udpVectorReadMessageCount: Int = 64
    /// The largest datagram accepted. Each of the `udpVectorReadMessageCount` slots of a read is one byte larger, so
    /// that a datagram filling its slot was (or may have been) truncated by the kernel and is dropped as oversize.
    /// 65,507 is the largest UDP payload over IPv4; SIP over UDP rarely exceeds a few KiB but INVITEs with large SDP
    /// and fragmented datagrams do occur, hence the generous default.
    public var udpMaxDatagramSize: Int = 65_507
    /// SO_RCVBUF for UDP sockets, in bytes (the kernel doubles it and caps it at net.core.rmem_max); nil keeps the
    /// system default. A large buffer absorbs bursts (a registration storm after an outage) while the loop is busy.
    public var udpReceiveBufferSize: Int? = 4 << 20
    /// SO_SNDBUF for UDP sockets; nil keeps the system default.
    public var udpSendBufferSize: Int?
    /// Sockets bound per UDP listener with SO_REUSEPORT, each on its own event loop, so reads spread over threads.
    /// All of them share the listener's address and port, so a reply from any of them satisfies the NAT pinhole.
    public var udpSocketsPerListener: Int = 1
    /// After a read that returned fewer than `udpBusyReadCount` datagrams, the next read waits this long, so that
    /// datagrams trickling in are read several per wake-up (`DatagramSyscallBatcher`). Zero reads at once.
    public var udpReadCoalescing: TimeAmount = .milliseconds(1)
    /// A read of at least this many datagrams means the socket is busy: the next read follows at once.
    public var udpBusyReadCount: Int = 16
    /// The 8-byte marker of this process's keepalive pings (the start of their Call-ID and branch token). When set,
    /// each UDP listener with one socket gets a `KeepaliveTwinSocket` on its own address and port, and datagrams
    /// carrying the marker are steered to it (see there); nil (the default) binds no twins.
    public var keepaliveTwinMarker: [UInt8]?

    // MARK: TCP

    /// The largest SIP message (headers and body) accepted on a stream; a larger one closes the connection.
    public var tcpMaxMessageSize: Int = 65_535
    /// A connection with no read or write for this long is closed; nil never closes idle connections. The default is
    /// an hour because a phone that re-registers hourly and sends no keepalives must not lose its flow in between.
    public var tcpIdleTimeout: TimeAmount? = .seconds(3600)
    /// How long an outbound connection attempt may take.
    public var tcpConnectTimeout: TimeAmount = .seconds(5)
    /// The listen backlog of TCP listeners.
    public var tcpBacklog: Int32 = 1024

    // MARK: Shutdown

    /// How long `shutdown()` lets TCP connections flush queued writes before closing them hard.
    public var shutdownDrainTimeout: TimeAmount = .seconds(2)

    public init(listeners: [SIPListenerConfiguration]) {
        self.listeners = listeners
    }
}
