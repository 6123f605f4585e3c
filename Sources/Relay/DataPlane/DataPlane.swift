import CShims
import Synchronization

/// The media data plane of `tandem relay`: worker threads that forward RTP/RTCP datagrams between stream sockets
/// (see README.md in this folder).
///
/// Control API, safe from any thread: add a bound UDP socket as a stream (`addStream`), point it at its peer
/// (`updateForwarding`), remove it (`removeStream`, then `waitUntilRemoved` before reusing the port), read its
/// counters and learned source (`counters(of:)`, `snapshot(of:)`, `totals()`) without any round trip.
/// Commands travel through a lock-free queue per worker plus an eventfd; control serialises its own bookkeeping
/// with a mutex, which the workers never take.
///
/// `@unchecked Sendable`: all mutable control state sits behind `control`; the rest is either immutable after
/// `init` or memory shared with the workers through C atomics (see `tdm_stream`).
public final class DataPlane: @unchecked Sendable {
    /// Which engine runs and why (log it once).
    public let engine: IOEngineSelection
    /// The configuration in effect (buffer counts rounded to powers of two).
    public let configuration: DataPlaneConfiguration

    let table: StreamTable
    let workers: [WorkerHandle]
    let control: Mutex<ControlState>

    /// eventfd every worker bumps after applying commands (see `acknowledgementFD`).
    let acknowledgements: Int32
    /// eventfd every worker bumps after putting a STUN message in its inbox (see `stunFD`).
    let stunEvents: Int32

    struct ControlState {
        var slots: StreamSlotAllocator
        var stopped = false
        /// Inside `beginCommandBatch`/`endCommandBatch`: commands are queued without waking their worker.
        var batching = false
        /// Per worker: commands were queued without a wake-up.
        var unwoken: [Bool]
    }

    /// A descriptor that becomes readable (eventfd, non-blocking) whenever a worker has applied commands, so a
    /// control loop can `poll` it next to its sockets and complete `CommandTicket`s without spinning or sleeping.
    /// Read it (`clearAcknowledgements()`) before checking tickets.
    public var acknowledgementFD: Int32 { acknowledgements }

    /// Resets `acknowledgementFD` (reads its counter).
    public func clearAcknowledgements() {
        var value: UInt64 = 0
        _ = read(acknowledgements, &value, 8)
    }

    /// From now until `endCommandBatch()`, commands are queued without waking their worker, so a batch of ng
    /// commands costs one wake-up (one eventfd write, one context switch) per worker instead of one per command.
    /// Waiting on a ticket or a removal inside the batch wakes the workers first.
    public func beginCommandBatch() {
        control.withLock { $0.batching = true }
    }

    /// Ends the batch and wakes every worker that has commands queued since it began.
    public func endCommandBatch() {
        control.withLock { state in
            state.batching = false
            flushWakes(&state)
        }
    }

    /// Wakes the workers with queued but un-woken commands (no-op outside a batch).
    func flushWakes() {
        control.withLock { flushWakes(&$0) }
    }

    func flushWakes(_ state: inout ControlState) {
        for index in state.unwoken.indices where state.unwoken[index] {
            state.unwoken[index] = false
            workers[index].wake()
        }
    }

    /// Queues a command for `worker`, waking it unless a command batch is open. Call with the control lock held.
    func send(_ command: inout tdm_command, to worker: Int, _ state: inout ControlState) -> UInt64? {
        var position = workers[worker].send(&command, wake: !state.batching)
        if position == nil && state.unwoken[worker] {
            // The queue filled up inside a batch: let the worker drain it, then try again (bounded).
            state.unwoken[worker] = false
            workers[worker].wake()
            for _ in 0..<10_000 where position == nil {
                sched_yield()
                position = workers[worker].send(&command, wake: false)
            }
        }
        if position != nil && state.batching { state.unwoken[worker] = true }
        return position
    }

    /// True once `stop()` ran: every worker has been joined, so no worker uses any descriptor any more.
    public var isStopped: Bool { control.withLock { $0.stopped } }

    /// Number of worker threads.
    public var workerCount: Int { workers.count }

    /// Probes/selects the engine, allocates every buffer, and starts the workers.
    public init(configuration requested: DataPlaneConfiguration = DataPlaneConfiguration()) throws(DataPlaneError) {
        var configuration = requested
        configuration.workerCount = max(1, min(requested.workerCount, 256))
        configuration.maxStreams = max(2, min(requested.maxStreams, 1 << 24))
        configuration.buffersPerWorker = DataPlane.powerOfTwo(requested.buffersPerWorker, lower: 8, upper: 32768)
        configuration.bufferSize = max(256, min(requested.bufferSize, 65536))
        configuration.batchSize = max(1, min(requested.batchSize, 1024))
        configuration.ringEntries = requested.ringEntries <= 0
            ? max(256, min(4096, configuration.buffersPerWorker))
            : DataPlane.powerOfTwo(requested.ringEntries, lower: 16, upper: 32768)
        configuration.commandQueueCapacity = max(16, requested.commandQueueCapacity)

        var selection = IOEngineProbe.select(configuration.engine)
        if configuration.engine == .uring {
            if let why = IOEngineProbe.uringUnavailableReason() { throw .engineUnavailable(why) }
            selection = IOEngineSelection(kind: .uring, reason: "io_uring forced by configuration (probe passed)")
        }
        engine = selection
        self.configuration = configuration
        table = StreamTable(capacity: configuration.maxStreams)
        control = Mutex(ControlState(slots: StreamSlotAllocator(capacity: configuration.maxStreams,
                                                                workers: configuration.workerCount),
                                     unwoken: Array(repeating: false, count: configuration.workerCount)))
        let acknowledgementFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard acknowledgementFD >= 0 else { throw .systemCall("eventfd", errno: tdm_errno()) }
        acknowledgements = acknowledgementFD
        let stunFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard stunFD >= 0 else { throw .systemCall("eventfd", errno: tdm_errno()) }
        stunEvents = stunFD
        var handles: [WorkerHandle] = []
        for index in 0..<configuration.workerCount {
            handles.append(try WorkerHandle(index: index, queueCapacity: configuration.commandQueueCapacity))
        }
        workers = handles
        for handle in handles {
            let context = handle.context(table: table, acknowledgementFD: acknowledgements, stunFD: stunEvents)
            let started: Int32
            switch selection.kind {
            case .uring:
                let worker = URingWorker(context: context, tableCapacity: configuration.maxStreams,
                                         bufferCount: configuration.buffersPerWorker,
                                         bufferSize: configuration.bufferSize,
                                         ringEntries: configuration.ringEntries,
                                         completionBatch: configuration.batchSize)
                handle.engine = worker
                started = handle.thread.start(name: "relay-uring-\(handle.index)") { worker.run() }
            case .mmsg, .auto:
                let worker = MMsgWorker(context: context, tableCapacity: configuration.maxStreams,
                                        batchSize: configuration.batchSize, bufferSize: configuration.bufferSize)
                handle.engine = worker
                started = handle.thread.start(name: "relay-mmsg-\(handle.index)") { worker.run() }
            }
            let status = started == 0 ? handle.awaitStartup(timeoutNanoseconds: 5_000_000_000) : -started
            if status != WorkerContext.running {
                stop()
                throw .workerFailed(index: handle.index, errno: status < 0 ? -status : ETIMEDOUT)
            }
        }
    }

    deinit {
        stop()
        close(acknowledgements)
        close(stunEvents)
    }

    /// Stops every worker (they close all their stream sockets) and joins the threads. Idempotent.
    public func stop() {
        let alreadyStopped = control.withLock { state -> Bool in
            defer { state.stopped = true }
            return state.stopped
        }
        guard !alreadyStopped else { return }
        for handle in workers where handle.currentStatus == WorkerContext.running {
            var command = tdm_command()
            command.kind = UInt32(TDM_CMD_STOP)
            var attempts = 0
            while handle.send(&command) == nil && attempts < 10_000 {
                attempts += 1
                usleep(100)
            }
        }
        for handle in workers { handle.thread.join() }
        for handle in workers { handle.engine = nil }
    }

    private static func powerOfTwo(_ value: Int, lower: Int, upper: Int) -> Int {
        var result = lower
        while result < value && result < upper { result <<= 1 }
        return result
    }
}
