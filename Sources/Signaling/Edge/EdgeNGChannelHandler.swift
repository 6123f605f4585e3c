import NIOCore

/// Reads ng replies off the steering UDP channel and hands them to the core (already on its loop).
final class EdgeNGChannelHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let deliver: (SocketAddress, [UInt8]) -> Void

    init(deliver: @escaping (SocketAddress, [UInt8]) -> Void) { self.deliver = deliver }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        deliver(envelope.remoteAddress, Array(envelope.data.readableBytesView))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable from a dead relay surfaces here: the retransmission timer handles it.
    }
}
