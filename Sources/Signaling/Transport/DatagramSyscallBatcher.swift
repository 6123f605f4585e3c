import NIOCore

/// The first handler of each UDP socket: batches the socket's system calls both ways.
///
/// - **Reads, coalesced.** After a read that brought fewer than `busyReadCount` datagrams, the
///   next read waits `delay`, so datagrams trickling in (keepalive replies: 5,000 a second for 100k
///   NATed bindings, one at a time) are read several per wake-up instead of one. Each wake-up costs
///   an `epoll_wait`, a context switch, a `recvmmsg` and NIO's read plumbing, which was a quarter of
///   the keepalive CPU. A read that filled `busyReadCount` slots means the socket is busy: the next
///   read follows at once, so throughput under load is unchanged. The cost is at most `delay` of
///   extra latency for a datagram that arrives right after a small read (1 ms by default: nothing
///   next to SIP's 500 ms T1). A zero `delay` reads at once.
/// - **Flushes, deferred.** The edge answers on the socket a request arrived on, from inside that
///   socket's read callback, and `writeAndFlush` per answer costs one `sendmsg` per datagram.
///   While the socket delivers a read burst, flushes are held back and done once at
///   `channelReadComplete`, so NIO hands all the answers of a `recvmmsg` batch to one `sendmmsg`.
///   Writes outside a burst (timers, keepalives, another socket's traffic) flush at once.
///
/// Why one handler for both (they were two): every datagram read and every datagram written
/// passes through each handler of the pipeline, and a hop (context walk, retains, `NIOAny`
/// forwarding) was a visible part of the 10,000 datagrams a second of the keepalive load.
final class DatagramSyscallBatcher: ChannelDuplexHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias InboundOut = AddressedEnvelope<ByteBuffer>
    typealias OutboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let delay: TimeAmount
    private let busyReadCount: Int
    private var datagramsSinceRead = 0
    private var deferred: Scheduled<Void>?
    private var reading = false
    private var flushPending = false

    init(delay: TimeAmount, busyReadCount: Int) {
        self.delay = delay
        self.busyReadCount = max(1, busyReadCount)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        datagramsSinceRead += 1
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
            let (batcher, context) = loopBound.value
            batcher.deferred = nil
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
        reading = false
        flushPending = false
        context.fireChannelInactive()
    }
}
