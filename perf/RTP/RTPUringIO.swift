#if canImport(Glibc)
import Glibc
#endif
import CShims

/// The io_uring engine of `perf rtp`: a thin owner of `tdp_uring_gen` (Sources/CShims/perf_uring.c).
///
/// Why: with the epoll engine a stream's packet costs one `sendmmsg` (streams rarely have two packets due at once)
/// and one `recvmmsg` per readiness. At 100k pps that filled the generator's core, so the p99 that `perf rtp`
/// reported at that rate was its own queueing (`generatorBound`). Here every due packet becomes a `sendmsg` SQE,
/// each socket keeps one multishot `recvmsg` armed (kernel receive timestamps arrive as control data, as with
/// `recvmmsg`), and one `io_uring_enter` per loop iteration submits and reaps everything.
final class RTPUringIO {
    private let generator: OpaquePointer
    /// Completions of the last `wait`; payload pointers stay valid until the next `wait`.
    let events: UnsafeMutablePointer<tdp_uring_event>
    static let eventCapacity = 4096
    private var armed = false

    /// A ring for `packetLength`-byte packets at `rate` pps; throws the errno when io_uring is unavailable.
    /// The send slots cover the largest catch-up burst `RTPMediaLoop` sends at once (50 ms of packets) plus margin:
    /// a burst larger than the slots would fail the rest of its packets.
    init(packetLength: Int, rate: Double) throws(RTPUringError) {
        var error: Int32 = 0
        let burst = Int(min(rate * 0.05, 30_000)) + 1024
        let slots = max(4096, min(32768, 1 << (Int.bitWidth - (burst - 1).leadingZeroBitCount)))
        guard let made = tdp_uring_gen_create(UInt32(slots), UInt32(max(64, packetLength)), 8192, 2048, &error) else {
            throw RTPUringError(errno: -error)
        }
        generator = made
        events = .allocate(capacity: RTPUringIO.eventCapacity)
    }

    deinit {
        tdp_uring_gen_destroy(generator)
        events.deallocate()
    }

    /// Arms one multishot receive per socket, once (a run may be a warm-up followed by the measured phase).
    func armOnce(sockets: [Int32]) {
        guard !armed else { return }
        armed = true
        for (tag, fd) in sockets.enumerated() { _ = tdp_uring_gen_arm(generator, fd, UInt32(tag)) }
    }

    /// Queues `count` packets of `stride` bytes from `base` (lengths in `lengths`); returns how many were queued.
    func send(fd: Int32, to destination: IPv4Endpoint, base: UnsafePointer<UInt8>, stride: Int,
              lengths: UnsafePointer<UInt32>, count: Int, stream: Int) -> Int {
        Int(tdp_uring_gen_send(generator, fd, destination.addressBigEndian, destination.portBigEndian, base, stride,
                               lengths, UInt32(count), UInt32(truncatingIfNeeded: stream)))
    }

    /// Submits, waits up to `timeoutNanoseconds` for a completion, and returns how many `events` were filled.
    func wait(timeoutNanoseconds: UInt64) -> Int {
        max(0, Int(tdp_uring_gen_wait(generator, timeoutNanoseconds, events, UInt32(RTPUringIO.eventCapacity))))
    }

    /// Receives re-armed because every buffer was in use.
    var rearms: UInt64 { tdp_uring_gen_rearms(generator) }

    /// Receives that ended with another error (re-armed unless the socket was closed) and the last errno.
    var receiveErrors: (count: UInt64, lastErrno: Int32) {
        var last: Int32 = 0
        let count = tdp_uring_gen_stopped(generator, &last)
        return (count, last)
    }
}

/// io_uring could not be used by the generator (the kernel lacks it, `kernel.io_uring_disabled`, seccomp).
struct RTPUringError: Error, CustomStringConvertible {
    let errno: Int32
    var description: String { "io_uring unavailable: \(String(cString: strerror(errno)))" }
}
