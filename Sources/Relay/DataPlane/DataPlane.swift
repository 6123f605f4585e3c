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

    struct ControlState {
        var slots: StreamSlotAllocator
        var stopped = false
    }

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
                                                                workers: configuration.workerCount)))
        var handles: [WorkerHandle] = []
        for index in 0..<configuration.workerCount {
            handles.append(try WorkerHandle(index: index, queueCapacity: configuration.commandQueueCapacity))
        }
        workers = handles
        for handle in handles {
            let context = handle.context(table: table)
            let started: Int32
            switch selection.kind {
            case .uring:
                let worker = URingWorker(context: context, tableCapacity: configuration.maxStreams,
                                         bufferCount: configuration.buffersPerWorker,
                                         bufferSize: configuration.bufferSize)
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

    deinit { stop() }

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
