import NIOCore

/// Holds back the flushes of a UDP socket while it is delivering a burst of reads, and flushes
/// once when the burst ends (`channelReadComplete`).
///
/// Why: the edge answers on the socket a request arrived on, from inside that socket's read
/// callback, and `writeAndFlush` per answer costs one `sendmsg` per datagram. Deferring the
/// flush to the end of the vector read lets NIO hand all the answers of a `recvmmsg` batch to
/// one `sendmmsg`. Writes outside a read burst (timers, keepalives, another socket's traffic)
/// flush at once, as before.
final class DatagramFlushBatcher: ChannelDuplexHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias InboundOut = AddressedEnvelope<ByteBuffer>
    typealias OutboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private var reading = false
    private var flushPending = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        reading = true
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        reading = false
        if flushPending {
            flushPending = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func flush(context: ChannelHandlerContext) {
        if reading {
            flushPending = true
        } else {
            context.flush()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        reading = false
        flushPending = false
        context.fireChannelInactive()
    }
}
