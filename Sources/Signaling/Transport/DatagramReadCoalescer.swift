import NIOCore

/// Waits a moment before reading a UDP socket again after a read that brought only a few datagrams, so that
/// datagrams trickling in (keepalive replies: 5,000 a second for 100k NATed bindings, one at a time) are read
/// several per wake-up instead of one.
///
/// Why: each wake-up costs an `epoll_wait`, a context switch, a `recvmmsg` and NIO's read plumbing, which was a
/// quarter of the keepalive CPU. A read that filled `busyReadCount` slots means the socket is busy: the next read
/// follows at once, so throughput under load is unchanged. The cost is at most `delay` of extra latency for a
/// datagram that arrives right after a small read (1 ms by default: nothing next to SIP's 500 ms T1).
final class DatagramReadCoalescer: ChannelDuplexHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias InboundOut = AddressedEnvelope<ByteBuffer>
    typealias OutboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let delay: TimeAmount
    private let busyReadCount: Int
    private var datagramsSinceRead = 0
    private var deferred: Scheduled<Void>?

    init(delay: TimeAmount, busyReadCount: Int) {
        self.delay = delay
        self.busyReadCount = max(1, busyReadCount)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        datagramsSinceRead += 1
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        // A read is already on its way.
        guard deferred == nil else { return }
        let count = datagramsSinceRead
        datagramsSinceRead = 0
        // No datagram yet (the first read) or a busy socket: read at once.
        guard delay > .zero, count > 0, count < busyReadCount else {
            context.read()
            return
        }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deferred = context.eventLoop.scheduleTask(in: delay) {
            let (coalescer, context) = loopBound.value
            coalescer.deferred = nil
            context.read()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deferred?.cancel()
        deferred = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        deferred?.cancel()
        deferred = nil
        context.fireChannelInactive()
    }
}
