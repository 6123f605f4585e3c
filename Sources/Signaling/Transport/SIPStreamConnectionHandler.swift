import NIOCore

/// The pipeline handler of one TCP connection: frames SIP messages with `SIPStreamSplitter`, answers and sends
/// RFC 5626 CRLF keepalives, and keeps the connection table up to date.
///
/// Bytes accumulate in one buffer; whole messages are handed on as slices of it (no copy). A framing error or an
/// oversize message closes the connection, since the stream cannot be resynchronised. An `IdleStateEvent` from the
/// `IdleStateHandler` in front of it closes the connection too.
final class SIPStreamConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Whether we accepted the connection or opened it towards a destination.
    enum Origin { case accepted, opened }

    let id: ConnectionID
    private let local: LocalSocketID
    private let origin: Origin
    private let transport: SIPTransport
    private var splitter: SIPStreamSplitter
    private var cumulation: ByteBuffer?
    private var connection: TCPConnection?
    private var isClosed = false
    private var context: ChannelHandlerContext?
    /// The ping we sent that waits for its pong, with its timeout.
    private var pendingPong: (promise: EventLoopPromise<Void>, timeout: Scheduled<Void>)?

    private static let pingBytes = ByteBuffer(string: "\r\n\r\n")
    private static let pongBytes = ByteBuffer(string: "\r\n")
    /// Read bytes are discarded from the front of the buffer once this many have piled up (amortised compaction).
    private static let compactionThreshold = 16 * 1024

    init(id: ConnectionID, local: LocalSocketID, origin: Origin, maxMessageSize: Int, transport: SIPTransport) {
        self.id = id
        self.local = local
        self.origin = origin
        self.transport = transport
        self.splitter = SIPStreamSplitter(maxMessageSize: maxMessageSize)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        if let remote = context.remoteAddress {
            let connection = TCPConnection(
                id: self.id,
                key: TCPFlowKey(local: self.local, remote: remote),
                channel: context.channel,
                handler: NIOLoopBound(self, eventLoop: context.eventLoop)
            )
            self.connection = connection
            self.transport.connections.register(connection)
        }
        switch self.origin {
        case .accepted: self.transport.cells.connectionsAccepted.bump()
        case .opened: self.transport.cells.connectionsOpened.bump()
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.isClosed = true
        self.cumulation = nil
        self.transport.cells.connectionsClosed.bump()
        if let pending = self.pendingPong {
            self.pendingPong = nil
            pending.timeout.cancel()
            pending.promise.fail(SIPTransportError.connectionClosed(self.id))
        }
        if let connection = self.connection {
            self.transport.connections.unregister(connection)
            self.transport.deliver(.connectionClosed(self.id, remote: connection.key.remote, local: self.local))
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = Self.unwrapInboundIn(data)
        guard !self.isClosed else { return }
        self.transport.cells.streamBytesIn.bump(incoming.readableBytes)
        if var buffer = self.cumulation {
            self.cumulation = nil  // keep the storage uniquely referenced so the append does not copy
            buffer.writeBuffer(&incoming)
            self.process(buffer, context: context)
        } else {
            self.process(incoming, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            self.transport.cells.idleClosures.bump()
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// A read error (reset by peer, for instance) ends the connection.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        self.transport.cells.receiveErrors.bump()
        context.close(promise: nil)
    }

    /// Sends a CRLFCRLF ping; the future succeeds when the CRLF pong arrives and fails after `timeout` or if the
    /// connection closes first. A ping while another is outstanding shares its future. Call on `loop`, the
    /// channel's event loop.
    func ping(timeout: TimeAmount, on loop: any EventLoop) -> EventLoopFuture<Void> {
        guard let context = self.context, !self.isClosed else {
            return loop.makeFailedFuture(SIPTransportError.connectionClosed(self.id))
        }
        if let pending = self.pendingPong {
            return pending.promise.futureResult
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let timer = context.eventLoop.scheduleTask(in: timeout) {
            handler.value.pongTimedOut(promise)
        }
        self.pendingPong = (promise, timer)
        self.transport.cells.pingsSent.bump()
        context.writeAndFlush(Self.wrapOutboundOut(Self.pingBytes), promise: nil)
        return promise.futureResult
    }

    private func pongTimedOut(_ promise: EventLoopPromise<Void>) {
        guard let pending = self.pendingPong, pending.promise.futureResult === promise.futureResult else { return }
        self.pendingPong = nil
        promise.fail(SIPTransportError.pongTimeout(self.id))
    }

    /// Cuts every whole frame off the front of the buffer, acts on it, and keeps the rest for the next read.
    private func process(_ received: ByteBuffer, context: ChannelHandlerContext) {
        var buffer = received
        while !self.isClosed {
            let pongExpected = self.pendingPong != nil
            let result = buffer.withUnsafeReadableBytes { raw in
                Result { () throws(SIPStreamFramingError) -> SIPStreamSplitter.Frame? in
                    try self.splitter.nextFrame(in: raw, pongExpected: pongExpected)
                }
            }
            switch result {
            case .failure(let error):
                self.framingFailed(error, context: context)
                return
            case .success(nil):
                self.keepRemainder(buffer)
                return
            case .success(.ping):
                buffer.moveReaderIndex(forwardBy: 4)
                self.transport.cells.pingsReceived.bump()
                context.writeAndFlush(Self.wrapOutboundOut(Self.pongBytes), promise: nil)
            case .success(.pong):
                buffer.moveReaderIndex(forwardBy: 2)
                if let pending = self.pendingPong {
                    self.pendingPong = nil
                    pending.timeout.cancel()
                    self.transport.cells.pongsReceived.bump()
                    pending.promise.succeed(())
                }
            case .success(.message(let length)):
                guard let bytes = buffer.readSlice(length: length), let connection = self.connection else {
                    self.keepRemainder(buffer)
                    return
                }
                self.transport.cells.streamMessagesIn.bump()
                let message = InboundSIP(
                    bytes: bytes,
                    source: connection.key.remote,
                    local: self.local,
                    transport: .tcp,
                    connection: self.id
                )
                self.transport.deliver(.message(message))
            }
        }
    }

    /// Stores the unconsumed bytes for the next read, compacting when enough read bytes have piled up in front.
    private func keepRemainder(_ buffer: ByteBuffer) {
        guard !self.isClosed, buffer.readableBytes > 0 else { return }
        var rest = buffer
        if rest.readerIndex >= Self.compactionThreshold {
            rest.discardReadBytes()
        }
        self.cumulation = rest
    }

    private func framingFailed(_ error: SIPStreamFramingError, context: ChannelHandlerContext) {
        switch error.kind {
        case .messageTooLarge: self.transport.cells.oversizeDrops.bump()
        case .missingContentLength, .invalidContentLength: self.transport.cells.framingErrors.bump()
        }
        self.isClosed = true
        context.close(promise: nil)
    }
}
