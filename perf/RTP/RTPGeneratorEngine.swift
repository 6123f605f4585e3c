/// How `perf rtp` moves its packets.
///
/// `uring` enters the kernel once per loop iteration for all due sends and all arrived datagrams; `epoll` costs
/// about two system calls per packet (one socket per stream). Measured on the 2-core box, the system calls were not
/// what limits the generator at 100k pps: its core is ~95 % kernel packet work either way (the UDP send path, and
/// the relay sockets' receive processing that loopback runs in the sender's context), so `epoll` stays the default.
public enum RTPGeneratorEngine: String, Sendable, Codable, CaseIterable {
    /// `uring` when a ring can be created here, else `epoll`.
    case auto
    case uring
    case epoll
}
