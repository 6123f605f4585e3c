import NIOCore

/// One whole SIP message as it came off the wire, with where it came from and where it arrived.
///
/// The bytes are not parsed: the transport only frames (a datagram, or a Content-Length cut of a stream). `local`
/// is what a reply must be sent `via`; `connection` is set for TCP so that replies and in-flow requests can go back
/// over the same connection (`SIPTransport.send(_:over:)`).
public struct InboundSIP: Sendable {
    /// The message bytes. For UDP this is a slice of the batch buffer NIO's vector read filled: holding on to it
    /// keeps that whole batch buffer alive and forces a fresh allocation for the next batch, so a handler that keeps
    /// the bytes beyond its call should copy them (`InboundSIPStream` does).
    public var bytes: ByteBuffer
    /// The remote address the message came from (after NAT: the public address and port of the pinhole).
    public var source: SocketAddress
    /// The listener it arrived on.
    public var local: LocalSocketID
    /// UDP or TCP.
    public var transport: SIPTransportKind
    /// The TCP connection it arrived on; nil for UDP.
    public var connection: ConnectionID?

    public init(
        bytes: ByteBuffer,
        source: SocketAddress,
        local: LocalSocketID,
        transport: SIPTransportKind,
        connection: ConnectionID?
    ) {
        self.bytes = bytes
        self.source = source
        self.local = local
        self.transport = transport
        self.connection = connection
    }

    /// The bytes as an array (a copy).
    public var byteArray: [UInt8] { Array(self.bytes.readableBytesView) }
}
