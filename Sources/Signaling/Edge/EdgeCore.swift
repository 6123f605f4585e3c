import Foundation
import Logging
import NIOCore

/// The edge's mutable state and its message path: one `SIPProxy`, one `Registrar`, one
/// `KeepaliveScheduler`, fed by the transport and driven by timers, all on ONE event loop.
///
/// Why one loop: every piece of state here has exactly one owner — this object, confined to
/// `loop` — so the message path takes no lock and no actor hop. The transport runs on a group of
/// one loop (the same one), so inbound messages are already on it; SIP signalling is cheap enough
/// per message that one core carries an edge (the relay does the heavy lifting elsewhere).
/// Only the SQLite writer runs on its own thread (`LocationPersistence`), fed through a queue.
final class EdgeCore {
    let loop: any EventLoop
    let logger: Logger
    var configuration: EdgeConfiguration
    var proxy: SIPProxy
    var registrar: Registrar
    var keepalive: KeepaliveScheduler
    let persistence: LocationPersistence?
    /// Set once the transport is bound (before reads start being handled).
    var transport: SIPTransport?
    var listeners: [BoundListener] = []
    var counters = EdgeCounters()
    var draining = false
    /// The keepalive tick's reused ping buffer and address cache (`EdgeCore+KeepalivePings.swift`).
    var pingOutbox = EdgeKeepaliveOutbox()
    /// The pings' Call-ID prefix, fixed for the process: the transport's keepalive twins steer on its first 8
    /// bytes, so a scheduler rebuilt by SIGHUP keeps it.
    let keepalivePrefix: String

    /// The dispatcher and its per-branch bookkeeping (`EdgeCore+Dispatch.swift`).
    var dispatch: EdgeDispatch
    var dispatchTimer: Scheduled<Void>?
    var dispatchTimerAt: SIPInstant?
    /// ESL connections by box, and the reconnect back-off of each.
    var eslConnections: [DispatcherDestinationID: EdgeESLLink] = [:]

    /// Media steering (`EdgeCore+Steering.swift`); nil when no relay is configured.
    var steering: EdgeSteering?
    /// SUBSCRIBE/PUBLISH/MESSAGE services (`EdgeCore+Presence.swift`); nil when disabled.
    var presence: EdgePresence?
    /// Next-hop name resolution (`EdgeCore+DNS.swift`); created on the first host name.
    var dns: EdgeDNS?

    var proxyTimer: Scheduled<Void>?
    var proxyTimerAt: SIPInstant?
    private var periodicTasks: [RepeatedTask] = []

    init(configuration: EdgeConfiguration, listeners: [BoundListener], loop: any EventLoop,
         persistence: LocationPersistence?, logger: Logger,
         keepalivePrefix: String = KeepaliveScheduler.randomCallIDPrefix()) throws(DispatcherConfigurationError)
    {
        self.loop = loop
        self.keepalivePrefix = keepalivePrefix
        self.logger = logger
        self.configuration = configuration
        self.listeners = listeners
        self.persistence = persistence
        self.proxy = SIPProxy(configuration: Self.proxyConfiguration(configuration, listeners: listeners),
                              router: EdgeRouter(isFarm: { _ in false }, dispatch: { _, _, _ in .respond(status: 500, reason: "Starting") },
                                                 lookup: { _ in .notFound }, bindingsByContact: { _ in [] }))
        var registrarConfiguration = RegistrarConfiguration()
        configuration.registrar.apply(to: &registrarConfiguration)
        registrarConfiguration.pathHost = listeners.first.map { Self.hostPort($0) } ?? "edge.invalid"
        self.registrar = Registrar(configuration: registrarConfiguration)
        self.keepalive = KeepaliveScheduler(configuration: Self.keepaliveConfiguration(configuration, listeners: listeners),
                                            start: EdgeClock.wallNow(), callIDPrefix: keepalivePrefix)
        self.dispatch = try EdgeDispatch(configuration: configuration, now: EdgeClock.monotonicNow())
        installRouter()
    }

    // MARK: Configuration

    static func hostPort(_ listener: BoundListener) -> String {
        let host = listener.advertisedHost.contains(":") ? "[\(listener.advertisedHost)]" : listener.advertisedHost
        return "\(host):\(listener.advertisedPort)"
    }

    static func proxyConfiguration(_ configuration: EdgeConfiguration, listeners: [BoundListener]) -> SIPProxyConfiguration {
        let proxyListeners = listeners.map {
            SIPProxyListener(socket: LocalSocketRef($0.id.index), host: $0.advertisedHost, port: $0.advertisedPort,
                             transport: $0.transport == .udp ? .udp : .tcp)
        }
        let timers = SIPTimerSettings(t1: configuration.t1Milliseconds, timerC: configuration.timerCMilliseconds)
        return SIPProxyConfiguration(listeners: proxyListeners,
                                     transactions: SIPTransactionLayer.Settings(timers: timers),
                                     instanceSeed: UInt64.random(in: 0...UInt64.max))
    }

    static func keepaliveConfiguration(_ configuration: EdgeConfiguration, listeners: [BoundListener]) -> KeepaliveConfiguration {
        var keepalive = KeepaliveConfiguration()
        keepalive.intervalMilliseconds = configuration.keepalive.intervalMilliseconds
        keepalive.maxPingsLost = configuration.keepalive.maxPingsLost
        // Small bursts: a tick's pings leave in one flush, and 20 ms keeps that to ~100 datagrams at
        // 100k bindings (a 100 ms tick's 500 overflowed a responder's receive buffer in a lab run).
        keepalive.tickMilliseconds = Self.keepaliveTickMilliseconds
        var table: [Int: String] = [:]
        for listener in listeners { table[listener.id.index] = hostPort(listener) }
        let sentBy = table
        let fallback = listeners.first.map { hostPort($0) } ?? "0.0.0.0"
        keepalive.viaSentBy = { socket in sentBy[socket.rawValue] ?? fallback }
        if let first = listeners.first { keepalive.fromURI = "sip:keepalive@\(hostPort(first))" }
        return keepalive
    }

    /// The router reads the registrar through closures; `unowned` because the proxy (holding the
    /// router) is owned by this object.
    func installRouter() {
        proxy.router = EdgeRouter(
            isFarm: { [unowned self] peer in farmBox(at: peer) != nil },
            gateways: configuration.gateways,
            dispatch: { [unowned self] request, uri, gateway in
                dispatch.route(request, uri: uri, gateway: gateway, now: EdgeClock.monotonicNow())
            },
            lookup: { [unowned self] aor in registrar.lookup(aor, now: EdgeClock.wallNow()) },
            bindingsByContact: { [unowned self] contact in
                registrar.store.allBindings.filter { $0.key.contactURI == contact && !$0.isExpired(at: EdgeClock.wallNow()) }
            },
            registersLocally: { [unowned self] host in registrar.configuration.domainMode(host) == .local })
        installPresenceRouter()
    }

    /// SIGHUP: farm, registrar limits and domain modes, keepalive interval / loss limit.
    func reload(_ new: EdgeConfiguration) {
        loop.preconditionInEventLoop()
        let keepaliveChanged = new.keepalive != configuration.keepalive
        configuration.farm = new.farm
        configuration.gateways = new.gateways
        configuration.registrar = new.registrar
        configuration.keepalive = new.keepalive
        configuration.registrar.apply(to: &registrar.configuration)
        do {
            try dispatch.apply(new, now: EdgeClock.monotonicNow())
            configuration.dispatcher = new.dispatcher
            configuration.dispatcherSet = new.dispatcherSet
            syncESLConnections()
            rescheduleDispatchTimer()
        } catch {
            logger.error("dispatcher configuration rejected; keeping the old one", metadata: ["error": "\(error)"])
        }
        installRouter()
        reloadPresence(new.presence)
        if keepaliveChanged {
            keepalive = KeepaliveScheduler(configuration: Self.keepaliveConfiguration(configuration, listeners: listeners),
                                           start: EdgeClock.wallNow(), callIDPrefix: keepalivePrefix)
            if configuration.keepalive.enabled {
                keepalive.apply(registrar.store.allBindings.map { .saved($0, created: false) })
            }
        }
        logger.notice("configuration reloaded", metadata: ["farm": "\(configuration.farm)"])
    }

    // MARK: Start-up

    /// Loads persisted live bindings and starts keepalives for them (their pinholes may still be open).
    func loadBindings(_ bindings: [RegistrarBinding]) {
        let now = EdgeClock.wallNow()
        let removed = registrar.load(bindings, now: now)
        persistence?.enqueue(removed)
        if configuration.keepalive.enabled {
            keepalive.apply(registrar.store.allBindings.map { .saved($0, created: false) })
        }
        logger.info("location loaded", metadata: ["bindings": "\(registrar.store.bindingCount)"])
    }

    /// The keepalive wheel's tick (see `keepaliveConfiguration`).
    static let keepaliveTickMilliseconds: Int64 = 20

    func startTimers() {
        let tick = TimeAmount.milliseconds(Self.keepaliveTickMilliseconds)
        let bound = NIOLoopBound(self, eventLoop: loop)
        periodicTasks.append(loop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in
            bound.value.keepaliveTick()
        })
        periodicTasks.append(loop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            let core = bound.value
            core.apply(core.registrar.expire(now: EdgeClock.wallNow()))
        })
    }

    func stopTimers() {
        stopDispatch()
        stopSteering()
        stopPresence()
        dns?.stop()
        for task in periodicTasks { task.cancel() }
        periodicTasks = []
        proxyTimer?.cancel()
        proxyTimer = nil
        proxyTimerAt = nil
    }

    // MARK: Timers

    /// Keeps exactly one scheduled task at the proxy's next deadline.
    func rescheduleProxyTimer() {
        let next = proxy.nextDeadline
        guard next != proxyTimerAt else { return }
        proxyTimer?.cancel()
        proxyTimerAt = next
        guard let next else {
            proxyTimer = nil
            return
        }
        let deadline = NIODeadline.uptimeNanoseconds(UInt64(max(0, next.milliseconds)) &* 1_000_000)
        let bound = NIOLoopBound(self, eventLoop: loop)
        proxyTimer = loop.scheduleTask(deadline: deadline) {
            let core = bound.value
            core.proxyTimerAt = nil
            core.proxyTimer = nil
            core.perform(core.proxy.advance(to: EdgeClock.monotonicNow()))
        }
    }

    /// Fires the due keepalive slots. A tick's UDP pings come as one `KeepalivePingBatch` and leave
    /// through `sendKeepalivePings` (one buffer, cached addresses, one flush per socket).
    func keepaliveTick() {
        guard configuration.keepalive.enabled else { return }
        drainKeepaliveTwins()
        pingOutbox.batch.removeAll()
        let actions = keepalive.tick(now: EdgeClock.wallNow(), udpPings: &pingOutbox.batch)
        if !pingOutbox.batch.isEmpty { sendKeepalivePings() }
        for action in actions {
            switch action {
            case .sendPing(let bytes, let peer, let socket, _):
                send(bytes, to: SIPPeer(peer), local: socket)
            case .sendCRLFPing(let peer, let socket):
                crlfPing(peer, socket: socket)
            case .bindingUnreachable(let key, let lost):
                logger.info("binding unreachable", metadata: ["binding": "\(key)", "lost": "\(lost)"])
                if let change = registrar.removeBinding(key, reason: .keepaliveTimeout) { apply([change]) }
            }
        }
    }

    private func crlfPing(_ peer: RegistrarPeer, socket: LocalSocketRef) {
        guard let transport, let address = EdgeAddressing.socketAddress(SIPPeer(peer)),
              let connection = transport.connection(to: address, via: LocalSocketID(index: socket.rawValue))
        else { return }
        let promise = loop.makePromise(of: Void.self)
        transport.ping(connection, timeout: .seconds(10), promise: promise)
        let bound = NIOLoopBound(self, eventLoop: loop)
        promise.futureResult.whenSuccess {
            bound.value.keepalive.noteTraffic(from: peer, now: EdgeClock.wallNow())
        }
    }

    // MARK: Location changes

    func apply(_ changes: [LocationChange]) {
        guard !changes.isEmpty else { return }
        persistence?.enqueue(changes)
        if configuration.keepalive.enabled { keepalive.apply(changes) }
        presenceLocationChanged(changes)
    }
}
