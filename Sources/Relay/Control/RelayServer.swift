import CShims
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `tandem relay` assembled: the data plane, the ng listener and command handler on one control thread, the
/// Prometheus endpoint on another.
///
/// The control thread is the single owner of the `SessionTable` (inside the `NGCommandHandler`): it reads ng
/// datagrams, answers them, and once a second runs the clock (timeouts, delayed deletes), which pulls data plane
/// counters only for the calls that are due. Commands are processed one at a time there, so a retransmitted request (same
/// cookie) is read only after the first reply is cached; while that reply still waits for the data plane
/// (`NGPendingReplies`) the duplicate joins it, afterwards the cache answers it. The thread never blocks on a worker.
public final class RelayServer: @unchecked Sendable {
    public let options: RelayOptions
    public let dataPlane: DataPlane
    /// The ng addresses actually bound (port 0 resolved).
    public let ngEndpoints: [SocketEndpoint]
    /// The metrics address actually bound, nil when disabled.
    public var metricsEndpoint: SocketEndpoint? { metricsListener?.endpoint }

    let logger: Logger
    private let listener: NGUDPListener
    let handler: NGCommandHandler<DataPlaneExecutor>
    private let wake: Int32
    private let thread = WorkerThread()
    private let stopping = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    let metrics: RelayMetricsStore
    private var metricsListener: MetricsHTTPListener?
    /// The kernel path when active (see RelayServer+Kernel.swift).
    var kernel: KernelForwarder?
    var journal: KernelOffloadJournal?
    /// Calls with a live `+` record in the journal.
    var journaled = Set<String>()
    /// Clock ticks since the kernel counters were last read (`refreshKernelCountersIfDue`).
    var kernelCounterTicks = 0
    /// Answers ICE checks for `ICE: force` streams (control thread only; see RelayServer+ICE.swift).
    let iceAgent = ICELiteAgent()
    /// Replies waiting for the workers to apply their commands (control thread only).
    private var pending = NGPendingReplies()
    /// The kernel status behind `handler.statisticsExtra` (nil: not built yet).
    private var publishedKernelStatus: KernelOffloadStatus?

    /// Validates the options, raises the descriptor limit, starts the data plane, binds the ng and metrics
    /// sockets and starts the control thread.
    public init(options: RelayOptions, logger: Logger) throws {
        self.options = options
        self.logger = logger
        let sessionConfiguration = try options.sessionConfiguration()
        let learningWindow = try options.learningWindowLimits()
        var ngEndpoints: [SocketEndpoint] = []
        for text in options.listenNG { ngEndpoints.append(try RelayOptions.endpoint(text, key: "listen-ng")) }
        guard !ngEndpoints.isEmpty else { throw RelayOptionError.invalid(key: "listen-ng", value: "(none)") }

        let portsPerInterface = options.portMax - options.portMin + 1
        let totalPorts = portsPerInterface * sessionConfiguration.interfaces.count
        let limits = FileDescriptorLimit.raise()
        // Each call holds about four sockets (RTP + RTCP on each side); keep some descriptors for everything else.
        let callsByDescriptors = max(0, Int(clamping: limits.new) - 256) / 4
        let callsByPorts = totalPorts / 4
        logger.info("file descriptor limit", metadata: [
            "before": "\(limits.old)", "now": "\(limits.new)", "max_calls_by_fds": "\(callsByDescriptors)",
            "max_calls_by_ports": "\(callsByPorts)",
        ])
        if callsByDescriptors < callsByPorts {
            logger.warning("RLIMIT_NOFILE caps the number of calls below what the port range allows", metadata: [
                "max_calls": "\(callsByDescriptors)", "nofile": "\(limits.new)",
            ])
        }

        var planeConfiguration = try options.dataPlaneConfiguration()
        planeConfiguration.maxStreams = max(64, totalPorts + 64)
        dataPlane = try DataPlane(configuration: planeConfiguration)
        let engineMetadata: Logger.Metadata = [
            "engine": "\(dataPlane.engine.kind)", "reason": "\(dataPlane.engine.reason)",
            "workers": "\(dataPlane.workerCount)", "buffer_count": "\(options.bufferCount)",
            "buffer_size": "\(options.bufferSize)", "batch_size": "\(options.batchSize)",
            "ring_entries": "\(options.ringEntries == 0 ? "auto" : String(options.ringEntries))",
        ]
        if options.ioEngine == .auto && dataPlane.engine.kind == .mmsg {
            // The one line that says why auto did not get io_uring (the reason names the sysctl or seccomp).
            logger.warning("data plane engine: io_uring unavailable, falling back to recvmmsg/sendmmsg",
                           metadata: engineMetadata)
        } else {
            logger.notice("data plane engine", metadata: engineMetadata)
        }

        do {
            listener = try NGUDPListener(endpoints: ngEndpoints)
        } catch {
            dataPlane.stop()
            throw error
        }
        self.ngEndpoints = listener.endpoints
        var ngLimits = NGLimits.default
        ngLimits.maxMessageBytes = max(1024, options.maxNGMessageBytes)
        let executor = DataPlaneExecutor(dataPlane: dataPlane)
        executor.learningWindow = learningWindow
        // Freed ports keep their socket for the next call; leave the same 256 descriptors for everything else.
        executor.descriptorBudget = max(0, Int(clamping: limits.new) - 256)
        handler = NGCommandHandler(sessions: SessionTable(configuration: sessionConfiguration),
                                   executor: executor, limits: ngLimits)
        wake = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        var initial = RelayMetrics()
        initial.engine = dataPlane.engine.kind
        initial.sessions = handler.sessions.statistics()
        metrics = RelayMetricsStore(initial)

        do {
            try startKernel()
        } catch {
            listener.close()
            dataPlane.stop()
            Glibc.close(wake)
            throw error
        }
        if !options.listenMetrics.isEmpty {
            do {
                let endpoint = try RelayOptions.endpoint(options.listenMetrics, key: "listen-metrics")
                let plane = dataPlane
                metricsListener = try MetricsHTTPListener(endpoint: endpoint) { [metrics] in
                    var snapshot = metrics.state.withLock { $0 }
                    snapshot.dataPlane = plane.totals()
                    return snapshot.prometheusText()
                }
            } catch {
                // The control thread never started: undo what init set up before failing.
                stopping.store(true, ordering: .releasing)
                listener.close()
                dataPlane.stop()
                Glibc.close(wake)
                throw error
            }
        }
        for endpoint in self.ngEndpoints { logger.notice("listening for ng", metadata: ["address": "\(endpoint)"]) }
        if let endpoint = metricsListener?.endpoint {
            logger.notice("serving metrics", metadata: ["url": "http://\(endpoint)/metrics"])
        }
        _ = thread.start(name: "relay-control") { [self] in runControlLoop() }
    }

    deinit { stop() }

    /// Stops taking commands, deletes every call (closing its ports), stops the data plane and the metrics
    /// endpoint. Idempotent; returns when everything is down.
    public func stop() {
        if !stopping.exchange(true, ordering: .acquiringAndReleasing) {
            var one: UInt64 = 1
            _ = write(wake, &one, 8)
            thread.join()
            metricsListener?.stop()
            dataPlane.stop()
            // Freed ports' sockets kept for reuse: the workers are joined, so none of them is in use any more.
            handler.executor.closeKeptSockets()
            Glibc.close(wake)
            finished.store(true, ordering: .releasing)
        }
    }

    /// The current metrics (for tests and `statistics`-like views).
    public func currentMetrics() -> RelayMetrics {
        var snapshot = metrics.state.withLock { $0 }
        snapshot.dataPlane = dataPlane.totals()
        return snapshot
    }

    // MARK: - Control thread

    /// ng datagrams handled per batch at most before the workers are woken and replies go out.
    static let batchLimit = 64

    /// Nice value of the control thread, above the workers' (0). Why: the control thread shares a core with the
    /// data-plane workers (often pinned together); the scheduler then lets a waking worker preempt it at once and
    /// gives it ~10% of a contended core instead of half, so ng work and the clock never hold packets back for
    /// a whole scheduler slice (issue 3). Uncontended, it runs at full speed. Lowering one's own priority needs
    /// no privilege, and the thread starts no threads of its own that would inherit it.
    static let controlThreadNice: Int32 = 10

    /// Lowers the calling thread's priority. On Linux the nice value is per thread, and `setpriority` with
    /// `PRIO_PROCESS` and id 0 means the calling thread only (setpriority(2), NOTES). Best effort: a failure leaves
    /// the default priority.
    static func lowerCurrentThreadPriority() {
        setCurrentThreadNice(controlThreadNice)
    }

    static func setCurrentThreadNice(_ value: Int32) {
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, value)
    }

    /// The control thread's nice value with the kernel path on: 0 while streams may be waiting to be offloaded (a
    /// rule became pending within `offloadRecentMilliseconds`), `controlThreadNice` otherwise. Why both: waiting
    /// streams run in the worker, which may then own the core, and a nice-10 control thread got so little of it
    /// that offload ran seconds late; once everything is in the kernel, a nice-0 control thread's clock and
    /// counter dump competed with the softirq that forwards for the kernel path (p99 110 ms at nice 0 vs 35 ms
    /// when reniced after offload, perf/bench-kernel.sh). Rules that never qualify (unused RTCP, ICE) stop
    /// counting after the same window.
    static func controlThreadNice(latestPendingChange: Int64, now: Int64) -> Int32 {
        latestPendingChange > 0 && now - latestPendingChange < offloadRecentMilliseconds ? 0 : controlThreadNice
    }
    /// How often the recently set-up rules are checked for offload. Both sides lock on their first packet from
    /// the SDP address, so media moves to the kernel within about this long; waiting for the 1 s clock kept up
    /// to a second of every call's media (and its latency tail) in userspace.
    static let offloadCheckMilliseconds: Int64 = 50
    /// Rules changed longer ago than this are left to the 1 s clock (those that never qualify stay cheap).
    static let offloadRecentMilliseconds: Int64 = 10_000

    private func runControlLoop() {
        // Only without kernel offload. With it, the control thread is what moves streams out of the overloaded
        // worker: at 100k pps in userspace the worker takes its whole core, a nice-10 control thread then got a
        // sliver of it, and its 50 ms offload check ran seconds late while packets queued (p99 over 1 s in
        // perf/bench-kernel.sh). With it, the loop below lowers the thread again once nothing awaits offload.
        if kernel == nil { RelayServer.lowerCurrentThreadPriority() }
        var currentNice: Int32 = 0
        let ngCount = listener.sockets.count
        var descriptors = listener.sockets.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        descriptors.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0))
        descriptors.append(pollfd(fd: dataPlane.acknowledgementFD, events: Int16(POLLIN), revents: 0))
        descriptors.append(pollfd(fd: dataPlane.stunFD, events: Int16(POLLIN), revents: 0))
        var nextTick = RelayServer.monotonicMilliseconds() + 1000
        var nextOffloadCheck = RelayServer.monotonicMilliseconds() + RelayServer.offloadCheckMilliseconds
        while !stopping.load(ordering: .acquiring) {
            let now = RelayServer.monotonicMilliseconds()
            var wait = max(0, nextTick - now)
            if kernel != nil { wait = min(wait, max(0, nextOffloadCheck - now)) }
            if let untilDeadline = pending.millisecondsUntilDeadline(now: now) { wait = min(wait, untilDeadline) }
            _ = poll(&descriptors, nfds_t(descriptors.count), Int32(clamping: wait))
            if stopping.load(ordering: .acquiring) { break }
            // Batch: read every ng datagram available (bounded), handle each, then wake each worker once. Replies
            // that need no worker leave at once; the others are parked until the workers acknowledge.
            var handled = 0
            dataPlane.beginCommandBatch()
            var more = true
            while more && handled < RelayServer.batchLimit {
                more = false
                for index in 0..<ngCount where handled < RelayServer.batchLimit {
                    guard let datagram = listener.receive(on: listener.sockets[index]) else { continue }
                    more = true
                    handled += 1
                    serve(datagram)
                }
            }
            dataPlane.endCommandBatch()
            if handled > 0 { publish(withSessions: true) }
            if descriptors[ngCount + 2].revents != 0 { answerICEChecks() }
            for index in descriptors.indices { descriptors[index].revents = 0 }
            if !pending.isEmpty {
                dataPlane.clearAcknowledgements()
                sendReadyReplies()
            } else if descriptors[ngCount + 1].revents != 0 {
                dataPlane.clearAcknowledgements()
            }
            if RelayServer.monotonicMilliseconds() >= nextTick {
                nextTick = RelayServer.monotonicMilliseconds() + 1000
                nextOffloadCheck = RelayServer.monotonicMilliseconds() + RelayServer.offloadCheckMilliseconds
                runClock()
            } else if kernel != nil, RelayServer.monotonicMilliseconds() >= nextOffloadCheck {
                nextOffloadCheck = RelayServer.monotonicMilliseconds() + RelayServer.offloadCheckMilliseconds
                offload(at: RelayServer.wallClock(), changedWithin: RelayServer.offloadRecentMilliseconds)
            }
            if kernel != nil {
                // One setpriority(2) per change of mind, not per loop.
                let wanted = RelayServer.controlThreadNice(latestPendingChange: handler.executor.latestOffloadPendingChange,
                                                           now: RelayServer.monotonicMilliseconds())
                if wanted != currentNice {
                    RelayServer.setCurrentThreadNice(wanted)
                    currentNice = wanted
                }
            }
        }
        let deleted = handler.deleteAllCalls(at: RelayServer.wallClock())
        handler.executor.waitForWorkers()
        pending.takeReady(now: .max) { _ in true }.forEach(send)
        stopKernel()
        publish(withSessions: true)
        listener.close()
        logger.notice("relay stopped", metadata: ["calls_deleted": "\(deleted)"])
    }

    private func sendReadyReplies() {
        let plane = dataPlane
        for entry in pending.takeReady(now: RelayServer.monotonicMilliseconds(), isApplied: { plane.isApplied($0) }) {
            send(entry)
            if let callID = entry.callID { offload(at: RelayServer.wallClock(), callID: callID) }
        }
    }

    private func send(_ entry: NGPendingReplies.Entry) {
        for recipient in entry.recipients { listener.reply(entry.reply, to: recipient) }
    }

    private func serve(_ datagram: NGUDPListener.Datagram) {
        let exchange = handler.handle(datagram.bytes, at: RelayServer.wallClock())
        // Command counters are published before the reply leaves, so a client that scrapes right after its reply
        // sees its command counted; the O(calls) session statistics follow once per batch.
        let counters = handler.counters
        metrics.state.withLock { $0.commands = counters }
        let tickets = handler.executor.takeUnacknowledged()
        applyICECredentialChanges()
        if let reply = exchange.reply {
            let cookie = { [handler] in NGMessage.cookie(of: datagram.bytes, limits: handler.limits) ?? [] }
            if exchange.duplicate, !pending.isEmpty, pending.join(cookie: cookie(), request: datagram) {
                // The first copy's reply waits for the workers; this one leaves with it.
            } else if tickets.isEmpty || tickets.allSatisfy({ dataPlane.isApplied($0) }) {
                listener.reply(reply, to: datagram)
            } else {
                let offloadable = exchange.command == "offer" || exchange.command == "answer" ? exchange.callID : nil
                pending.park(reply, cookie: cookie(), for: datagram, tickets: tickets,
                             now: RelayServer.monotonicMilliseconds(), callID: offloadable)
            }
        }
        // Only failures log at info: at the default level the metadata of every other command would be built
        // just to be dropped by `debug`.
        let failed = exchange.result == "error" && !exchange.duplicate
        if logger.logLevel <= (failed ? .info : .debug) {
            var metadata: Logger.Metadata = ["command": "\(exchange.command)", "result": "\(exchange.result)"]
            if let callID = exchange.callID { metadata["call_id"] = "\(callID)" }
            if let detail = exchange.detail { metadata["reason"] = "\(detail)" }
            if exchange.duplicate {
                logger.debug("ng duplicate answered from cache", metadata: metadata)
            } else if exchange.result == "error" {
                logger.info("ng command failed", metadata: metadata)
            } else {
                logger.debug("ng command", metadata: metadata)
            }
        }
        for event in exchange.events { log(event) }
        switch exchange.command {
        case "offer", "answer", "delete":
            journalEnded(exchange.events)
            if let callID = exchange.callID { offload(at: RelayServer.wallClock(), callID: callID) }
        default:
            break
        }
    }

    private func runClock() {
        let now = RelayServer.wallClock()
        refreshKernelCountersIfDue(at: now)
        let outcome = handler.tick(at: now)
        // Nobody waits for a reply to the clock's removals.
        _ = handler.executor.takeUnacknowledged()
        handler.executor.parkRestedSockets()
        pruneICECredentials()
        for event in outcome.events { log(event) }
        journalEnded(outcome.events)
        offload(at: now)
        publish(withSessions: true)
    }

    /// Call and branch ends stay operator-visible at `info` (rtpengine logs a call's end at its default level
    /// too); the metadata is built only when the level logs, from the strings as they are (no interpolation).
    private func log(_ event: SessionEvent) {
        switch event {
        case .callEnded(let callID, let reason):
            if reason == .deleted {
                guard logger.logLevel <= .info else { return }
                logger.info("call ended", metadata: ["call_id": .string(callID), "reason": .string(reason.rawValue)])
            } else {
                logger.notice("call timed out", metadata: ["call_id": .string(callID), "reason": .string(reason.rawValue)])
            }
        case .branchEnded(let callID, let tags, let reason):
            guard logger.logLevel <= .info else { return }
            logger.info("branch ended", metadata: ["call_id": .string(callID), "tags": "\(tags)", "reason": .string(reason.rawValue)])
        }
    }

    private func publish(withSessions: Bool) {
        let counters = handler.counters
        let sessions = withSessions ? handler.sessions.statistics() : nil
        let kernelStatus = handler.executor.kernelStatus
        let iceCounters = iceAgent.counters
        // Rebuilt only when it changed: publish runs after every ng batch, the dictionary is read by `statistics`.
        if kernelStatus != publishedKernelStatus {
            publishedKernelStatus = kernelStatus
            handler.statisticsExtra = ["kernel": .dict(RelayServer.statistics(kernelStatus))]
        }
        metrics.state.withLock { state in
            state.commands = counters
            state.kernel = kernelStatus
            state.ice = iceCounters
            if let sessions { state.sessions = sessions }
        }
    }

    static func wallClock() -> SessionTime {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return SessionTime(microseconds: Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec / 1000))
    }

    static func monotonicMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec / 1_000_000)
    }
}

/// The metrics the control thread publishes and the metrics thread reads (a class so both can hold it).
final class RelayMetricsStore: Sendable {
    let state: Mutex<RelayMetrics>
    init(_ initial: RelayMetrics) { state = Mutex(initial) }
}
