import NIOCore

extension SIPTransport {
    /// Sends one whole SIP message to `destination` from the listener `via`.
    ///
    /// - UDP listener: one datagram, written by that listener's own socket, so it leaves from the address and port the
    ///   client's traffic arrived on (what a NAT pinhole requires).
    /// - TCP listener: over the open connection of that listener with `destination`; if there is none, a new
    ///   connection is opened (concurrent sends share one attempt) and then reused.
    ///
    /// NIO style: pass a promise to learn when the bytes reached the kernel, or nil to fire and forget (the cheap
    /// path for a handler answering on the event loop). Failures are counted in `sendFailures` either way.
    public func send(
        _ bytes: ByteBuffer,
        to destination: SocketAddress,
        via local: LocalSocketID,
        promise: EventLoopPromise<Void>?
    ) {
        switch self.route(to: destination, via: local) {
        case .success(let path):
            self.send(bytes, along: path).cascade(to: promise)
        case .failure(let error):
            self.cells.sendFailures.bump()
            promise?.fail(error)
        }
    }

    /// One datagram of a `sendDatagrams` batch.
    public struct Datagram: Sendable {
        public var bytes: ByteBuffer
        public var to: SocketAddress
        public var via: LocalSocketID

        public init(bytes: ByteBuffer, to: SocketAddress, via: LocalSocketID) {
            self.bytes = bytes
            self.to = to
            self.via = via
        }
    }

    /// Sends several datagrams, fire and forget, with one flush per socket at the end instead of one
    /// per datagram, so NIO hands them to the kernel in `sendmmsg` batches (the keepalive tick).
    /// Keep batches modest (a few hundred): they land in the receivers' buffers at once. Entries whose
    /// listener is not UDP are sent one by one as by `send(_:to:via:promise:)`.
    ///
    /// Cheaper per datagram than `send`: the sockets are looked up once per batch and each write
    /// goes without a promise (no future, no completion closure), so `datagramsOut` and
    /// `datagramBytesOut` count these datagrams when they are handed to the socket, and a send the
    /// kernel refuses is not counted in `sendFailures` (a keepalive notices it as a lost ping).
    /// Tip: the `bytes` of a batch can be slices of one buffer (`ByteBuffer.getSlice`).
    public func sendDatagrams(_ datagrams: [Datagram]) {
        let sockets: [ListenerSockets]
        switch self.runningSockets() {
        case .success(let running): sockets = running
        case .failure:
            self.cells.sendFailures.bump(datagrams.count)
            return
        }
        // The listener of the previous datagram and the channels written to: a batch nearly always
        // leaves one socket, so the per-datagram work is a comparison, not a copy of the listener's
        // sockets and a dictionary insert.
        var currentIndex = -1
        var currentChannels: [any Channel] = []
        var currentIsUDP = false
        var toFlush: [any Channel] = []
        var written = 0
        var writtenBytes = 0
        for datagram in datagrams {
            if datagram.via.index != currentIndex {
                guard sockets.indices.contains(datagram.via.index) else {
                    self.cells.sendFailures.bump()
                    continue
                }
                currentIndex = datagram.via.index
                currentChannels = sockets[currentIndex].datagramChannels
                currentIsUDP = sockets[currentIndex].listener.transport == .udp
            }
            guard currentIsUDP else {
                self.send(datagram.bytes, to: datagram.to, via: datagram.via, promise: nil)
                continue
            }
            guard let channel = Self.pick(currentChannels, for: datagram.to) else {
                self.cells.sendFailures.bump()
                continue
            }
            written += 1
            writtenBytes += datagram.bytes.readableBytes
            channel.write(AddressedEnvelope(remoteAddress: datagram.to, data: datagram.bytes), promise: nil)
            if !toFlush.contains(where: { $0 === channel }) { toFlush.append(channel) }
        }
        self.cells.datagramsOut.bump(written)
        self.cells.datagramBytesOut.bump(writtenBytes)
        for channel in toFlush { channel.flush() }
    }

    /// `send(_:to:via:promise:)` for a byte array (copied into a buffer), fire and forget.
    public func send(_ bytes: [UInt8], to destination: SocketAddress, via local: LocalSocketID) {
        self.send(ByteBuffer(bytes: bytes), to: destination, via: local, promise: nil)
    }

    /// `send(_:to:via:promise:)` for async callers: returns when the bytes reached the kernel.
    public func send(_ bytes: ByteBuffer, to destination: SocketAddress, via local: LocalSocketID) async throws {
        switch self.route(to: destination, via: local) {
        case .success(let path):
            try await self.send(bytes, along: path).get()
        case .failure(let error):
            self.cells.sendFailures.bump()
            throw error
        }
    }

    /// Sends one whole SIP message over a specific TCP connection (the flow a request arrived on, RFC 5626); fails
    /// with `.unknownConnection` if it has closed, rather than opening another.
    public func send(_ bytes: ByteBuffer, over connection: ConnectionID, promise: EventLoopPromise<Void>?) {
        switch self.route(over: connection) {
        case .success(let open):
            self.sendStream(bytes, over: open).cascade(to: promise)
        case .failure(let error):
            self.cells.sendFailures.bump()
            promise?.fail(error)
        }
    }

    /// `send(_:over:promise:)` for async callers.
    public func send(_ bytes: ByteBuffer, over connection: ConnectionID) async throws {
        switch self.route(over: connection) {
        case .success(let open):
            try await self.sendStream(bytes, over: open).get()
        case .failure(let error):
            self.cells.sendFailures.bump()
            throw error
        }
    }

    /// Sends an RFC 5626 §3.5.1 CRLFCRLF ping over a TCP connection. The promise succeeds when the CRLF pong comes
    /// back, and fails with `.pongTimeout` after `timeout` or `.connectionClosed` if the connection ends first (the
    /// connection itself stays open on timeout: closing is the caller's decision). A ping while one is already
    /// outstanding on the connection shares its outcome.
    public func ping(_ connection: ConnectionID, timeout: TimeAmount, promise: EventLoopPromise<Void>) {
        switch self.route(over: connection) {
        case .success(let open):
            self.ping(open, timeout: timeout).cascade(to: promise)
        case .failure(let error):
            promise.fail(error)
        }
    }

    /// `ping(_:timeout:promise:)` for async callers: returns when the pong arrived.
    public func ping(_ connection: ConnectionID, timeout: TimeAmount = .seconds(10)) async throws {
        switch self.route(over: connection) {
        case .success(let open):
            try await self.ping(open, timeout: timeout).get()
        case .failure(let error):
            throw error
        }
    }

    /// The open TCP connection between listener `local` and `remote`, if any.
    public func connection(to remote: SocketAddress, via local: LocalSocketID) -> ConnectionID? {
        self.connections.openConnection(TCPFlowKey(local: local, remote: remote))?.id
    }

    /// Closes a TCP connection (its `connectionClosed` event follows).
    public func closeConnection(_ connection: ConnectionID) {
        self.connections.connection(connection)?.channel.close(promise: nil)
    }

    // MARK: - Routing

    /// How a message to a destination leaves.
    enum SendPath {
        /// From this UDP socket.
        case datagram(any Channel, SocketAddress)
        /// Over this open connection.
        case stream(TCPConnection)
        /// Over a connection of this flow that is yet to be opened (or is being opened).
        case connect(TCPFlowKey)
    }

    /// Decides the path without touching a socket; fails when not running or `local` is unknown.
    private func route(to destination: SocketAddress, via local: LocalSocketID) -> Result<SendPath, SIPTransportError> {
        let sockets: [ListenerSockets]
        switch self.runningSockets() {
        case .success(let running): sockets = running
        case .failure(let error): return .failure(error)
        }
        guard sockets.indices.contains(local.index) else { return .failure(.unknownLocalSocket(local)) }
        let listener = sockets[local.index]
        switch listener.listener.transport {
        case .udp:
            guard let channel = Self.pick(listener.datagramChannels, for: destination) else {
                return .failure(.shuttingDown)
            }
            guard DatagramDestinationFilter.isSendable(destination, from: listener.listener.localAddress) else {
                return .failure(.unsendableDestination(destination))
            }
            return .success(.datagram(channel, destination))
        case .tcp:
            let key = TCPFlowKey(local: local, remote: destination)
            if let connection = self.connections.openConnection(key) {
                return .success(.stream(connection))
            }
            return .success(.connect(key))
        }
    }

    private func route(over connection: ConnectionID) -> Result<TCPConnection, SIPTransportError> {
        if case .failure(let error) = self.runningSockets() { return .failure(error) }
        guard let open = self.connections.connection(connection) else { return .failure(.unknownConnection(connection)) }
        return .success(open)
    }

    /// Writes along a path; the future is on the socket's event loop, which is alive while the transport runs.
    private func send(_ bytes: ByteBuffer, along path: SendPath) -> EventLoopFuture<Void> {
        switch path {
        case .datagram(let channel, let destination):
            return self.sendDatagram(bytes, to: destination, from: channel)
        case .stream(let connection):
            return self.sendStream(bytes, over: connection)
        case .connect(let key):
            let connected = self.openOrJoinConnection(key)
            let cells = self.cells
            connected.whenFailure { _ in cells.sendFailures.bump() }
            return connected.flatMap { connection in
                self.sendStream(bytes, over: connection)
            }
        }
    }

    private func sendDatagram(_ bytes: ByteBuffer, to destination: SocketAddress, from channel: any Channel,
                              flush: Bool = true) -> EventLoopFuture<Void>
    {
        let length = bytes.readableBytes
        let cells = self.cells
        let envelope = AddressedEnvelope(remoteAddress: destination, data: bytes)
        let written = flush ? channel.writeAndFlush(envelope) : channel.write(envelope)
        written.whenComplete { result in
            switch result {
            case .success:
                cells.datagramsOut.bump()
                cells.datagramBytesOut.bump(length)
            case .failure:
                cells.sendFailures.bump()
            }
        }
        return written
    }

    /// With several SO_REUSEPORT sockets, any of them sends from the right address and port: prefer the one on the
    /// current event loop (no thread hop), else spread by destination.
    private static func pick(_ channels: [any Channel], for destination: SocketAddress) -> (any Channel)? {
        guard channels.count > 1 else { return channels.first }
        if let local = channels.first(where: { $0.eventLoop.inEventLoop }) { return local }
        let slot = Int(UInt(bitPattern: destination.hashValue) % UInt(channels.count))
        return channels[slot]
    }

    private func sendStream(_ bytes: ByteBuffer, over connection: TCPConnection) -> EventLoopFuture<Void> {
        let length = bytes.readableBytes
        let cells = self.cells
        let written = connection.channel.writeAndFlush(bytes)
        written.whenComplete { result in
            switch result {
            case .success:
                cells.streamMessagesOut.bump()
                cells.streamBytesOut.bump(length)
            case .failure:
                cells.sendFailures.bump()
            }
        }
        return written
    }

    private func ping(_ connection: TCPConnection, timeout: TimeAmount) -> EventLoopFuture<Void> {
        let loop = connection.channel.eventLoop
        if loop.inEventLoop {
            return connection.handler.value.ping(timeout: timeout, on: loop)
        }
        return loop.flatSubmit { connection.handler.value.ping(timeout: timeout, on: loop) }
    }

    /// The open connection of the flow, the attempt under way, or a new attempt.
    private func openOrJoinConnection(_ key: TCPFlowKey) -> EventLoopFuture<TCPConnection> {
        let loop = self.group.next()
        switch self.connections.lookupOrReserve(key, on: loop) {
        case .open(let connection):
            return loop.makeSucceededFuture(connection)
        case .connecting(let future):
            return future
        case .reserved(let promise):
            let future = promise.futureResult
            let connections = self.connections
            let cells = self.cells
            future.whenFailure { _ in
                connections.cancelReservation(key, future)
                cells.connectFailures.bump()
            }
            self.connectStream(key, on: loop).cascade(to: promise)
            return future
        }
    }
}
