import NIOCore

/// The pipeline handler of one UDP listener socket: each datagram is one SIP message, handed on with its source and
/// the listener's identity.
///
/// Datagrams that hold only CR, LF, NUL or space are NAT keepalives (phones send "\r\n\r\n" or zeros to keep their
/// pinhole open) and are dropped without reaching the handler. Datagrams longer than the configured maximum are
/// dropped as oversize: NIO's vector read cuts the batch buffer into fixed slots and does not report truncation, so
/// the slots are sized one byte above the maximum and anything longer is not trusted to be whole.
final class SIPDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let local: LocalSocketID
    private let maxDatagramSize: Int
    private let transport: SIPTransport

    init(local: LocalSocketID, maxDatagramSize: Int, transport: SIPTransport) {
        self.local = local
        self.maxDatagramSize = maxDatagramSize
        self.transport = transport
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        let cells = self.transport.cells
        let length = envelope.data.readableBytes
        if length > self.maxDatagramSize {
            cells.oversizeDrops.bump()
            return
        }
        if Self.isKeepalive(envelope.data) {
            cells.datagramKeepalivesIn.bump()
            return
        }
        cells.datagramsIn.bump()
        cells.datagramBytesIn.bump(length)
        let message = InboundSIP(
            bytes: envelope.data,
            source: envelope.remoteAddress,
            local: self.local,
            transport: .udp,
            connection: nil
        )
        self.transport.deliver(.message(message))
    }

    /// Read errors on UDP are per datagram (typically ECONNREFUSED from an ICMP unreachable caused by an earlier
    /// send): NIO keeps the socket open and so do we; the listener must survive a phone that went away.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        self.transport.cells.receiveErrors.bump()
    }

    /// True for an empty datagram or one made only of CR, LF, NUL and space bytes.
    static func isKeepalive(_ buffer: ByteBuffer) -> Bool {
        buffer.withUnsafeReadableBytes { bytes in
            for byte in bytes where byte != 0x0D && byte != 0x0A && byte != 0x00 && byte != 0x20 {
                return false
            }
            return true
        }
    }
}
