import NIOCore

/// Waits a moment before reading a UDP socket again after a read that brought only a few datagrams, so that
/// datagrams trickling in (keepalive replies: 5,000 a second for 100k NATed bindings, one at a time) are read
/// several per wake-up instead of one.
///
/// Why: each wake-up costs an `epoll_wait`, a context switch, a `recvmmsg` and NIO's read plumbing. On this
/// project's 2-core VM a C program doing nothing but the keepalive system calls (perf/sip/keepalive_floor.c)
/// costs 8.4 % of a core reading at once, ~5.5–7 % pausing 1 ms after a short read, 4.9 % pausing 10 ms and
/// 3.6 % pausing 20 ms: the wake-ups are most of keepalive's cost.
///
/// Two delays:
/// - `delay` (1 ms) after a short read with anything in it that may be waited on (a request, a response to an
///   INVITE): nothing next to SIP's 500 ms T1.
/// - `backgroundDelay` (20 ms, one keepalive tick) after a short read made only of *background* datagrams:
///   responses to OPTIONS (keepalive replies, the dispatcher's probe replies), which nobody waits on. A request
///   that arrives just after such a read waits at most that long; any read with other traffic in it goes back
///   to `delay`.
/// A read that filled `busyReadCount` slots means the socket is busy: the next read follows at once, so
/// throughput under load is unchanged.
final class DatagramReadCoalescer: ChannelDuplexHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias InboundOut = AddressedEnvelope<ByteBuffer>
    typealias OutboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let delay: TimeAmount
    private let backgroundDelay: TimeAmount
    private let busyReadCount: Int
    private var datagramsSinceRead = 0
    private var onlyBackgroundSinceRead = true
    private var deferred: Scheduled<Void>?

    init(delay: TimeAmount, busyReadCount: Int, backgroundDelay: TimeAmount = .zero) {
        self.delay = delay
        self.backgroundDelay = backgroundDelay
        self.busyReadCount = max(1, busyReadCount)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        datagramsSinceRead += 1
        if onlyBackgroundSinceRead, backgroundDelay > delay {
            onlyBackgroundSinceRead = BackgroundDatagram.isOptionsResponse(unwrapInboundIn(data).data)
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        // A read is already on its way.
        guard deferred == nil else { return }
        let count = datagramsSinceRead
        let background = onlyBackgroundSinceRead
        datagramsSinceRead = 0
        onlyBackgroundSinceRead = true
        let wait = background && backgroundDelay > delay ? backgroundDelay : delay
        // No datagram yet (the first read) or a busy socket: read at once.
        guard wait > .zero, count > 0, count < busyReadCount else {
            context.read()
            return
        }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deferred = context.eventLoop.scheduleTask(in: wait) {
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
