import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Synchronization

/// The SIP transport of `tandem signaling`: binds every configured UDP and TCP listener on one event loop group,
/// hands whole inbound messages to an `InboundSIPHandler`, and sends bytes back out the way NAT demands.
///
/// It knows nothing of SIP beyond framing: a datagram is a message; a TCP stream is cut by Content-Length. The
/// key promise is about *where* bytes leave from:
/// - UDP: `send(_:to:via:)` writes from the very socket named by the `LocalSocketID` the client's traffic arrived
///   on, because a NAT pinhole only accepts packets from the (address, port) it was opened towards.
/// - TCP: a send reuses the connection the client opened (the connection table is keyed by listener and remote
///   address), and opens a new outbound connection only when none exists.
///
/// Lifecycle: `init` (nothing bound) → `start()` (binds everything, then starts reading) → `shutdown()` (closes
/// listeners, drains TCP connections, shuts down the group if the transport created it).
public final class SIPTransport: Sendable {
    /// The configuration it was created with.
    public let configuration: SIPTransportConfiguration

    let cells = TransportCounterCells()
    let connections = TCPConnectionTable()
    let group: any EventLoopGroup
    private let ownsGroup: Bool
    private let handler: any InboundSIPHandler
    private let lastConnectionID = Atomic<UInt64>(0)
    let state = NIOLockedValueBox(State())

    /// The bound sockets of one listener.
    struct ListenerSockets: Sendable {
        let listener: BoundListener
        /// UDP: one channel, or several sharing the port with SO_REUSEPORT. Empty for TCP.
        var datagramChannels: [any Channel]
        /// TCP: the listening channel.
        let serverChannel: (any Channel)?
        /// UDP with `keepaliveTwinMarker`: the keepalive twin on the same address and port (nil when none could
        /// be bound; the listener then carries the keepalives itself).
        var twin: KeepaliveTwinSocket?
    }

    enum Phase: Sendable { case idle, starting, running, shuttingDown, stopped }

    struct State: Sendable {
        var phase: Phase = .idle
        /// By `LocalSocketID.index`; filled when `start()` completes.
        var sockets: [ListenerSockets] = []
        /// Why the kernel last refused a keepalive twin (for the start-up log), nil when none was refused.
        var keepaliveTwinError: String?
    }

    /// - Parameters:
    ///   - configuration: the listeners and tuning.
    ///   - handler: receives every inbound message and connection closure, on event loop threads.
    ///   - group: an event loop group to run on; nil creates a `MultiThreadedEventLoopGroup` of
    ///     `configuration.eventLoopThreads` threads, owned (and shut down) by the transport.
    public init(
        configuration: SIPTransportConfiguration,
        handler: some InboundSIPHandler,
        group: (any EventLoopGroup)? = nil
    ) {
        self.configuration = configuration
        self.handler = handler
        if let group {
            self.group = group
            self.ownsGroup = false
        } else {
            self.group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.eventLoopThreads))
            self.ownsGroup = true
        }
    }

    /// The bound listeners, in configuration order (index = `LocalSocketID.index`); empty before `start()`.
    public var listeners: [BoundListener] {
        self.state.withLockedValue { $0.sockets.map(\.listener) }
    }

    /// The event loop group the sockets run on (for callers that make promises for `send(_:to:via:promise:)`).
    public var eventLoopGroup: any EventLoopGroup { self.group }

    /// A snapshot of the counters.
    public var counters: TransportCounters { self.cells.snapshot }

    /// The listener with this ID, if bound.
    public func listener(_ id: LocalSocketID) -> BoundListener? {
        self.state.withLockedValue { state in
            state.sockets.indices.contains(id.index) ? state.sockets[id.index].listener : nil
        }
    }

    /// The listener bound to this local address and transport: maps a stored socket (for example a registrar
    /// binding saved before a restart) back to its current ID.
    public func localSocketID(for localAddress: SocketAddress, transport: SIPTransportKind) -> LocalSocketID? {
        self.state.withLockedValue { state in
            state.sockets.first { $0.listener.localAddress == localAddress && $0.listener.transport == transport }?
                .listener.id
        }
    }

    /// Binds every listener, then starts reading from all of them at once.
    ///
    /// Sockets are bound with reads off and switched on only when all are bound and the transport is running, so the
    /// handler never sees a message it could not yet answer. If any bind fails, the ones already bound are closed.
    public func start() async throws {
        try self.state.withLockedValue { state in
            guard state.phase == .idle else { throw SIPTransportError.alreadyStarted }
            state.phase = .starting
        }
        var bound: [ListenerSockets] = []
        do {
            for (index, listener) in self.configuration.listeners.enumerated() {
                bound.append(try await self.bind(listener, id: LocalSocketID(index: index)))
            }
        } catch {
            for sockets in bound { await Self.close(sockets) }
            self.state.withLockedValue { $0.phase = .idle }
            throw error
        }
        self.state.withLockedValue { state in
            state.sockets = bound
            state.phase = .running
        }
        for sockets in bound {
            for channel in sockets.datagramChannels + [sockets.serverChannel].compactMap({ $0 }) {
                try await channel.setOption(.autoRead, value: true).get()
            }
        }
        for (index, sockets) in bound.enumerated() {
            for slot in sockets.datagramChannels.indices {
                self.watchDatagramChannel(listener: index, slot: slot)
            }
        }
    }

    /// Stops the transport: closes the listeners (no more accepts or datagrams), lets each TCP connection flush
    /// what is queued (up to `shutdownDrainTimeout`), closes it, and finally shuts down the event loop group if the
    /// transport created it. Sends fail with `.shuttingDown` from the moment this is called.
    public func shutdown() async {
        let sockets: [ListenerSockets]? = self.state.withLockedValue { state in
            switch state.phase {
            case .idle, .running:
                state.phase = .shuttingDown
                return state.sockets
            case .starting, .shuttingDown, .stopped:
                return nil
            }
        }
        guard let sockets else { return }
        for listener in sockets { await Self.close(listener) }

        let drainTimeout = self.configuration.shutdownDrainTimeout
        let open = self.connections.allConnections()
        for connection in open {
            let channel = connection.channel
            let hardClose = channel.eventLoop.scheduleTask(in: drainTimeout) { channel.close(promise: nil) }
            channel.close(mode: .output).whenComplete { _ in
                hardClose.cancel()
                channel.close(promise: nil)
            }
        }
        for connection in open {
            try? await connection.channel.closeFuture.get()
        }
        if self.ownsGroup {
            try? await self.group.shutdownGracefully()
        }
        self.state.withLockedValue { $0.phase = .stopped }
    }

    // MARK: - Internal

    /// Whether sends are accepted, and the sockets to send from.
    func runningSockets() -> Result<[ListenerSockets], SIPTransportError> {
        self.state.withLockedValue { state in
            switch state.phase {
            case .running: .success(state.sockets)
            case .idle, .starting: .failure(.notStarted)
            case .shuttingDown, .stopped: .failure(.shuttingDown)
            }
        }
    }

    /// Hands an event to the handler (on the calling event loop).
    @inline(__always)
    func deliver(_ event: TransportEvent) {
        self.handler.handle(event, transport: self)
    }

    /// A fresh connection ID; never reused.
    func makeConnectionID() -> ConnectionID {
        ConnectionID(rawValue: self.lastConnectionID.wrappingAdd(1, ordering: .relaxed).newValue)
    }

    /// Why the kernel last refused a keepalive twin (the step and the errno text), nil when none was refused.
    public var keepaliveTwinError: String? { self.state.withLockedValue { $0.keepaliveTwinError } }

    /// The keepalive twin of listener `index`, if it has one now (it is replaced when the listener is reopened).
    func keepaliveTwin(_ index: Int) -> KeepaliveTwinSocket? {
        self.state.withLockedValue { state in
            state.phase == .running && state.sockets.indices.contains(index) ? state.sockets[index].twin : nil
        }
    }

    private static func close(_ sockets: ListenerSockets) async {
        sockets.twin?.close()
        for channel in sockets.datagramChannels {
            try? await channel.close()
        }
        if let server = sockets.serverChannel {
            try? await server.close()
        }
    }
}
