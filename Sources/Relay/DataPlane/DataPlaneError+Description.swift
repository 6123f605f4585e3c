extension DataPlaneError: CustomStringConvertible {
    /// What the relay logs when it cannot start ("relay failed to start"): operators read this, so a forced
    /// engine that cannot run says so in words, with the probe's reason.
    public var description: String {
        switch self {
        case .engineUnavailable(let why): return "io_uring forced (--io-engine uring) but unavailable: \(why)"
        case .systemCall(let call, let errno): return "\(call) failed (errno \(errno))"
        case .workerFailed(let index, let errno): return "data plane worker \(index) failed to start (errno \(errno))"
        case .tooManyStreams: return "too many streams"
        case .unknownStream(let id): return "unknown stream \(id)"
        case .peerOnOtherWorker(let stream, let peer): return "peer \(peer) of stream \(stream) is on another worker"
        case .commandQueueFull(let worker): return "command queue of worker \(worker) is full"
        case .noSuchWorker(let index): return "no worker \(index)"
        case .stopped: return "data plane stopped"
        }
    }
}
