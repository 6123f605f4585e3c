/// How `perf rtp` moves its packets.
///
/// `uring` enters the kernel once per loop iteration for all due sends and all arrived datagrams; `epoll` costs
/// about two system calls per packet (one socket per stream). The generator shares a 2-core box with the relay
/// under test, so its own cost decides how high a rate it can measure honestly: see `RTPUringIO`.
public enum RTPGeneratorEngine: String, Sendable, Codable, CaseIterable {
    /// `uring` when a ring can be created here, else `epoll`.
    case auto
    case uring
    case epoll
}
