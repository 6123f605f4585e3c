import Logging
import NIOCore
import NIOPosix
import Synchronization

/// `tandem signaling`'s daemon: the SIP transport, the admin HTTP listener and the `EdgeCore`
/// (proxy + registrar + keepalives), all on one single-threaded event loop group (see `EdgeCore`
/// for why), plus the SQLite writer thread.
///
/// Lifecycle: `start` binds everything, loads the persisted bindings and starts the timers;
/// `reload` applies what can change live; `stop` drains in-flight transactions (new requests get
/// 503 meanwhile, bounded by `drainMilliseconds`), closes sockets and flushes the location file.
public final class EdgeServer: Sendable {
    public let group: MultiThreadedEventLoopGroup
    let loop: any EventLoop
    let core: NIOLoopBoundBox<EdgeCore?>
    let transport: SIPTransport
    /// nil with `location.store: memory`.
    let persistence: LocationPersistence?
    let admin: (any Channel)?
    let logger: Logger
    public let sipListeners: [BoundListener]
    public let drainMilliseconds: Int64
    private let stopping = Atomic<Bool>(false)

    private init(group: MultiThreadedEventLoopGroup, loop: any EventLoop, core: NIOLoopBoundBox<EdgeCore?>,
                 transport: SIPTransport, persistence: LocationPersistence?, admin: (any Channel)?, logger: Logger,
                 drainMilliseconds: Int64)
    {
        self.group = group
        self.loop = loop
        self.core = core
        self.transport = transport
        self.persistence = persistence
        self.admin = admin
        self.logger = logger
        self.sipListeners = transport.listeners
        self.drainMilliseconds = drainMilliseconds
    }

    /// The bound admin HTTP address (nil when disabled).
    public var adminAddress: SocketAddress? { admin?.localAddress }

    /// Binds, loads the location file and starts serving.
    public static func start(configuration: EdgeConfiguration, logger: Logger) async throws -> EdgeServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let box = NIOLoopBoundBox.makeEmptyBox(valueType: EdgeCore.self, eventLoop: loop)
        do {
            let (stored, persistence) = try openLocation(configuration, logger: logger)
            let presenceDatabase = configuration.presence.enabled
                ? try EdgePresenceDatabase.open(directory: configuration.dataDirectory) : nil
            var transportConfiguration = SIPTransportConfiguration(listeners: configuration.listeners.map {
                SIPListenerConfiguration(host: $0.host, port: $0.port, transport: $0.transport,
                                         advertisedHost: $0.advertisedHost, advertisedPort: $0.advertisedPort)
            })
            transportConfiguration.eventLoopThreads = 1
            let keepalivePrefix = KeepaliveScheduler.randomCallIDPrefix()
            if configuration.keepalive.enabled, configuration.keepalive.twin {
                transportConfiguration.keepaliveTwinMarker = Array(keepalivePrefix.utf8.prefix(8))
            }
            let transport = SIPTransport(configuration: transportConfiguration, handler: EdgeInboundHandler(core: box, loop: loop),
                                         group: group)
            try await transport.start()
            let listeners = transport.listeners
            if transportConfiguration.keepaliveTwinMarker != nil {
                let twins = listeners.filter { transport.keepaliveTwin($0.id.index) != nil }.map { "\($0.localAddress)" }
                let refused = transport.counters.keepaliveTwinFailures
                if refused > 0 {
                    logger.warning("keepalive twin sockets refused by the kernel; those listeners ping through the pipeline",
                                   metadata: ["refused": "\(refused)", "error": "\(transport.keepaliveTwinError ?? "")"])
                }
                if !twins.isEmpty {
                    logger.info("keepalive pings and their replies use twin sockets", metadata: ["listeners": "\(twins)"])
                }
            }
            try await loop.submit {
                let core = try EdgeCore(configuration: configuration, listeners: listeners, loop: loop,
                                    persistence: persistence, logger: logger, keepalivePrefix: keepalivePrefix)
                core.transport = transport
                core.loadBindings(stored)
                core.startTimers()
                core.startDispatch()
                core.startSteering()
                core.startPresence(database: presenceDatabase)
                box.value = core
            }.get()
            var admin: (any Channel)?
            if let text = configuration.admin, let (host, port) = EdgeAddressText.hostPort(text) {
                do {
                    admin = try await EdgeAdminHTTPServer.bind(host: host, port: port, group: group, core: box)
                } catch {
                    await transport.shutdown()
                    persistence?.stop()
                    throw error
                }
            }
            let server = EdgeServer(group: group, loop: loop, core: box, transport: transport, persistence: persistence,
                                    admin: admin, logger: logger, drainMilliseconds: configuration.drainMilliseconds)
            logger.notice("signaling edge started", metadata: [
                "listeners": "\(listeners.map { "\($0.transport):\($0.localAddress)" })",
                "farm": "\(configuration.farm)", "bindings": "\(stored.count)", "location": "\(configuration.locationStore)",
                "admin": "\(admin?.localAddress.map { "\($0)" } ?? "off")",
            ])
            return server
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// The bindings stored at the last stop and the writer that keeps the file up to date; with the
    /// memory store, neither (no file is opened or created) and one line saying so.
    private static func openLocation(_ configuration: EdgeConfiguration, logger: Logger) throws
        -> (stored: [RegistrarBinding], persistence: LocationPersistence?)
    {
        switch configuration.locationStore {
        case .memory:
            logger.notice("location store: memory only; bindings will not survive a restart (phones must re-register)")
            return ([], nil)
        case .sqlite:
            let database = try LocationDatabase.open(directory: configuration.dataDirectory)
            let stored = try database.loadLive(now: EdgeClock.wallNow())
            let persistence = LocationPersistence(database: database) { error in
                logger.error("location write failed", metadata: ["error": "\(error)"])
            }
            persistence.start()
            return (stored, persistence)
        }
    }

    /// Runs `body` on the edge's loop with the core (tests, admin).
    func withCore<T: Sendable>(_ body: @escaping @Sendable (EdgeCore) -> T) async throws -> T {
        let box = core
        return try await loop.submit {
            guard let core = box.value else { throw EdgeServerError.stopped }
            return body(core)
        }.get()
    }

    /// Applies the live-changeable parts of a new configuration (SIGHUP).
    public func reload(_ configuration: EdgeConfiguration) async throws {
        try await withCore { $0.reload(configuration) }
    }

    /// The current bindings (copies).
    public func bindings() async throws -> [RegistrarBinding] {
        try await withCore { $0.registrar.store.allBindings }
    }

    /// The Prometheus text the admin `/metrics` serves.
    public func metricsText() async throws -> String {
        try await withCore { EdgeMetrics.render($0) }
    }

    /// Drains and stops: new requests get 503 (the proxy's overload answer, by setting its limit
    /// to zero), in-flight transactions (no final response yet) get up to `drainMilliseconds` to finish, then the
    /// sockets close and the location writer flushes. Answered ones that only absorb retransmissions do not hold
    /// the stop (it took the whole `drain_timeout` after any call).
    public func stop() async {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = try? await withCore { core in
            core.draining = true
            core.proxy.configuration.maxPendingTransactions = 0
        }
        let deadline = NIODeadline.now() + .milliseconds(drainMilliseconds)
        while NIODeadline.now() < deadline {
            let active = (try? await withCore { $0.proxy.unansweredContextCount }) ?? 0
            if active == 0 { break }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        _ = try? await withCore { $0.stopTimers() }
        try? await admin?.close()
        await transport.shutdown()
        let box = core
        try? await loop.submit { box.value = nil }.get()
        persistence?.flush()
        persistence?.stop()
        try? await group.shutdownGracefully()
        logger.notice("signaling edge stopped")
    }
}

public enum EdgeServerError: Error, Sendable {
    case stopped
}

/// The transport handler: already on the edge's loop (the transport shares its one-loop group), so
/// it calls the core directly; the `execute` branch only guards against a foreign loop.
struct EdgeInboundHandler: InboundSIPHandler {
    let core: NIOLoopBoundBox<EdgeCore?>
    let loop: any EventLoop

    func handle(_ event: TransportEvent, transport: SIPTransport) {
        if loop.inEventLoop {
            core.value?.handle(event)
        } else {
            let core = core
            loop.execute { core.value?.handle(event) }
        }
    }
}
