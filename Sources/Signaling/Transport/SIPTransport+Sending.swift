import NIOCore

extension SIPTransport {
    /// Sends one whole SIP message to `destination` from the listener `via`.
    ///
    /// - UDP listener: one datagram, written by that listener's own socket, so it leaves from the address and port the
    ///   client's traffic arrived on (what a NAT pinhole requires).
    /// - TCP listener: over the open connection of that listener with `destination`; if there is none, a new
    ///   connection is opened (concurrent sends share one attempt) and then reused.
    ///
    /// The future completes when the bytes are handed to the kernel; failures are also counted in `sendFailures`.
    @discardableResult
    public func send(_ bytes: ByteBuffer, to destination: SocketAddress, via local: LocalSocketID) -> EventLoopFuture<Void> {
        let sockets: [ListenerSockets]
        switch self.runningSockets() {
        case .success(let running): sockets = running
        case .failure(let error): return self.failedSend(error)
        }
        guard sockets.indices.contains(local.index) else {
            return self.failedSend(.unknownLocalSocket(local))
        }
        let listener = sockets[local.index]
        switch listener.listener.transport {
        case .udp:
            return self.sendDatagram(bytes, to: destination, from: listener.datagramChannels)
        case .tcp:
            let key = TCPFlowKey(local: local, remote: destination)
            if let connection = self.connections.openConnection(key) {
                return self.sendStream(bytes, over: connection)
            }
            return self.openOrJoinConnection(key).flatMap { connection in
                self.sendStream(bytes, over: connection)
            }
        }
    }

    /// Sends `bytes` (a copy is made into a buffer).
    @discardableResult
    public func send(_ bytes: [UInt8], to destination: SocketAddress, via local: LocalSocketID) -> EventLoopFuture<Void> {
        self.send(ByteBuffer(bytes: bytes), to: destination, via: local)
    }

    /// Sends one whole SIP message over a specific TCP connection (the flow a request arrived on, RFC 5626); fails
    /// with `.unknownConnection` if it has closed, rather than opening another.
    @discardableResult
    public func send(_ bytes: ByteBuffer, over connection: ConnectionID) -> EventLoopFuture<Void> {
        if case .failure(let error) = self.runningSockets() { return self.failedSend(error) }
        guard let open = self.connections.connection(connection) else {
            return self.failedSend(.unknownConnection(connection))
        }
        return self.sendStream(bytes, over: open)
    }

    /// Sends an RFC 5626 §3.5.1 CRLFCRLF ping over a TCP connection. The future succeeds when the CRLF pong comes
    /// back, and fails with `.pongTimeout` after `timeout` or `.connectionClosed` if the connection ends first (the
    /// connection itself stays open on timeout: closing is the caller's decision). A ping while one is already
    /// outstanding on the connection shares its future.
    public func ping(_ connection: ConnectionID, timeout: TimeAmount = .seconds(10)) -> EventLoopFuture<Void> {
        guard let open = self.connections.connection(connection) else {
            return self.anyEventLoop.makeFailedFuture(SIPTransportError.unknownConnection(connection))
        }
        let loop = open.channel.eventLoop
        if loop.inEventLoop {
            return open.handler.value.ping(timeout: timeout)
        }
        return loop.flatSubmit { open.handler.value.ping(timeout: timeout) }
    }

    /// `ping(_:timeout:)` for async callers.
    public func ping(_ connection: ConnectionID, timeout: TimeAmount = .seconds(10)) async throws {
        try await self.ping(connection, timeout: timeout).get()
    }

    /// The open TCP connection between listener `local` and `remote`, if any.
    public func connection(to remote: SocketAddress, via local: LocalSocketID) -> ConnectionID? {
        self.connections.openConnection(TCPFlowKey(local: local, remote: remote))?.id
    }

    /// Closes a TCP connection (its `connectionClosed` event follows).
    public func closeConnection(_ connection: ConnectionID) {
        self.connections.connection(connection)?.channel.close(promise: nil)
    }

    // MARK: - Internal

    private func sendDatagram(_ bytes: ByteBuffer, to destination: SocketAddress, from channels: [any Channel])
        -> EventLoopFuture<Void>
    {
        guard let channel = Self.pick(channels, for: destination) else {
            return self.failedSend(.shuttingDown)
        }
        let length = bytes.readableBytes
        let cells = self.cells
        let written = channel.writeAndFlush(AddressedEnvelope(remoteAddress: destination, data: bytes))
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

    func sendStream(_ bytes: ByteBuffer, over connection: TCPConnection) -> EventLoopFuture<Void> {
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

    private func failedSend(_ error: SIPTransportError) -> EventLoopFuture<Void> {
        self.cells.sendFailures.bump()
        return self.anyEventLoop.makeFailedFuture(error)
    }
}
