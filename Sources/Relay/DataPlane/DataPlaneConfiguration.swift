import CShims

/// Sizing of a `DataPlane`. Everything is allocated once at `DataPlane.init`.
public struct DataPlaneConfiguration: Sendable {
    /// Engine to run; `.auto` probes io_uring and falls back to recvmmsg/sendmmsg.
    public var engine: IOEngineKind
    /// Worker threads, one ring / epoll set each. Default: online CPUs.
    public var workerCount: Int
    /// Stream sockets the whole data plane can hold (size of the shared stream table).
    public var maxStreams: Int
    /// io_uring: provided buffers per worker (rounded up to a power of two, ≤ 32768). A buffer stays busy from
    /// the receive until its send completes, so this bounds packets in flight per worker.
    public var buffersPerWorker: Int
    /// Bytes per receive buffer. io_uring spends 16 + 28 bytes of each on the recvmsg header and source address;
    /// larger datagrams are dropped as `truncated`.
    public var bufferSize: Int
    /// mmsg: datagrams per recvmmsg/sendmmsg call. io_uring: completions taken from the ring per peek (a loop
    /// iteration takes up to 16 peeks).
    public var batchSize: Int
    /// io_uring: submission queue entries per ring (the completion queue gets 4×, since every receive can complete
    /// many times). 0 = as many as there are buffers, clamped to 256...4096: enough for one send per buffer.
    public var ringEntries: Int
    /// Commands a worker's queue holds before `DataPlaneError.commandQueueFull`.
    public var commandQueueCapacity: Int

    public init(engine: IOEngineKind = .auto, workerCount: Int? = nil, maxStreams: Int = 16384,
                buffersPerWorker: Int = 4096, bufferSize: Int = 2048, batchSize: Int = 64,
                ringEntries: Int = 0, commandQueueCapacity: Int = 4096) {
        self.engine = engine
        self.workerCount = workerCount ?? max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        self.maxStreams = maxStreams
        self.buffersPerWorker = buffersPerWorker
        self.bufferSize = bufferSize
        self.batchSize = batchSize
        self.ringEntries = ringEntries
        self.commandQueueCapacity = commandQueueCapacity
    }
}

/// Errors of the data plane's control API.
public enum DataPlaneError: Error, Sendable, Equatable {
    /// `.uring` was forced but io_uring cannot be used here.
    case engineUnavailable(String)
    /// A system call failed during setup.
    case systemCall(String, errno: Int32)
    /// A worker did not come up (negative errno from its setup) or did not answer in time.
    case workerFailed(index: Int, errno: Int32)
    /// All `maxStreams` slots are in use.
    case tooManyStreams
    /// The id names no live stream (removed, or never added).
    case unknownStream(StreamID)
    /// A peer must be on the same worker as the stream that sends through it.
    case peerOnOtherWorker(stream: StreamID, peer: StreamID)
    /// The worker is not keeping up with commands.
    case commandQueueFull(worker: Int)
    /// `worker` is out of range.
    case noSuchWorker(Int)
    /// The data plane has been stopped.
    case stopped
}
