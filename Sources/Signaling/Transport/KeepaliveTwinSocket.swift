import CShims
import NIOConcurrencyHelpers
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The keepalive twin of a UDP listener: a second socket on the listener's own address and port that carries the
/// NAT keepalive pings out and their replies back, beside SwiftNIO rather than through it.
///
/// Why: 100k NATed bindings pinged every 20 s are 5,000 OPTIONS out and 5,000 replies in per second, and through
/// the pipeline each one paid an envelope, a socket address, a pipeline write or read and (for replies trickling in)
/// a wake-up of the loop: more than the system calls themselves. The twin joins the listener's port with
/// SO_REUSEPORT, so a phone's pinhole sees exactly the address and port it registered towards, and a classic BPF
/// program on the port (`tdm_sip_twin_attach_steering`) hands it only datagrams that start with `SIP/` and carry
/// this process's keepalive marker in their first 512 bytes; everything else still reaches the listener. The
/// keepalive tick sends its pings through the twin in one `sendmmsg` and drains the replies waiting for it in one
/// `recvmmsg` (with the kernel's receive time, so round trips stay exact): no wake-up per reply at all.
///
/// Nothing may be lost through it: a datagram that reaches the twin but is not a reply the scheduler recognises is
/// handed to the normal receive path by the caller (`EdgeCore.drainKeepaliveTwins`).
///
/// Thread use: `receive` and `send` run on the edge's event loop; `close` may come from the transport's reopen
/// task, so the descriptor is guarded by a lock. The buffers are allocated once and freed in `deinit`.
final class KeepaliveTwinSocket: @unchecked Sendable {
    /// Bytes of each datagram the steering program searches for the marker (the kernel refuses much larger
    /// unrolled programs: each offset is five instructions).
    static let scanLimit: UInt32 = 512
    /// Datagrams per `recvmmsg`, and the size of each receive slot (a reply to OPTIONS is a few hundred bytes;
    /// a longer one is cut and dropped as oversize, like the listener's own oversize rule).
    static let receiveCount = 64
    static let receiveStride = 8192

    /// The listener this twin shares its port with.
    let local: LocalSocketID
    private let lock = NIOLock()
    private var descriptor: Int32

    private let receiveBuffer: UnsafeMutableRawPointer
    private let lengths: UnsafeMutablePointer<UInt32>
    private let sources: UnsafeMutablePointer<sockaddr_storage>
    private let receivedAt: UnsafeMutablePointer<Int64>

    private var sendCapacity = 0
    private var offsets: UnsafeMutablePointer<UInt32>?
    private var sendLengths: UnsafeMutablePointer<UInt32>?
    private var targets: UnsafeMutablePointer<sockaddr_storage>?
    private var targetLengths: UnsafeMutablePointer<UInt32>?

    /// Why a twin could not be opened; the listener then simply carries the keepalives itself.
    struct OpenError: Error, CustomStringConvertible {
        let step: String
        let errno: Int32
        var description: String { "\(step): \(String(cString: strerror(errno)))" }
    }

    /// Binds a twin at `address` (the listener's bound address, with its real port) and steers datagrams that
    /// carry `marker` (8 bytes) to it. The listener's socket must be bound first, with SO_REUSEPORT.
    static func open(at address: SocketAddress, marker: [UInt8], local: LocalSocketID,
                     receiveBufferSize: Int?) -> Result<KeepaliveTwinSocket, OpenError>
    {
        precondition(marker.count == 8, "the keepalive marker is 8 bytes")
        let fd = address.withSockAddr { pointer, length in
            tdm_sip_twin_open(pointer, socklen_t(length), Int32(clamping: receiveBufferSize ?? 0))
        }
        guard fd >= 0 else { return .failure(OpenError(step: "bind", errno: -fd)) }
        let attached = marker.withUnsafeBufferPointer { tdm_sip_twin_attach_steering(fd, $0.baseAddress, scanLimit) }
        guard attached == 0 else {
            // Without its program the group would spread the listener's traffic over both sockets by hash.
            Glibc.close(fd)
            return .failure(OpenError(step: "attach steering", errno: -attached))
        }
        return .success(KeepaliveTwinSocket(descriptor: fd, local: local))
    }

    private init(descriptor: Int32, local: LocalSocketID) {
        self.descriptor = descriptor
        self.local = local
        receiveBuffer = .allocate(byteCount: Self.receiveCount * Self.receiveStride, alignment: 16)
        lengths = .allocate(capacity: Self.receiveCount)
        sources = .allocate(capacity: Self.receiveCount)
        receivedAt = .allocate(capacity: Self.receiveCount)
    }

    deinit {
        close()
        receiveBuffer.deallocate()
        lengths.deallocate()
        sources.deallocate()
        receivedAt.deallocate()
        offsets?.deallocate()
        sendLengths?.deallocate()
        targets?.deallocate()
        targetLengths?.deallocate()
    }

    /// Closes the socket (idempotent). The port's group loses the twin, and the listener gets all traffic again.
    func close() {
        lock.withLock {
            if descriptor >= 0 { Glibc.close(descriptor) }
            descriptor = -1
        }
    }

    var isOpen: Bool { lock.withLock { descriptor >= 0 } }

    /// One `recvmmsg` of what is waiting: the count (0 when nothing is, or the twin is closed). Datagram `i` is
    /// `datagram(i)`; the slots stay valid until the next `receive`.
    func receive() -> Int {
        let count = lock.withLock { () -> Int32 in
            guard descriptor >= 0 else { return 0 }
            return tdm_sip_twin_receive(descriptor, receiveBuffer.assumingMemoryBound(to: UInt8.self),
                                        UInt32(Self.receiveStride), UInt32(Self.receiveCount), lengths, sources,
                                        receivedAt)
        }
        return count > 0 ? Int(count) : 0
    }

    /// Datagram `i` of the last `receive`: its bytes (nil when it was cut), its source, and when the kernel
    /// received it (ms since the epoch; 0 when the kernel gave no time).
    func datagram(_ i: Int) -> (bytes: UnsafeRawBufferPointer?, source: UnsafePointer<sockaddr_storage>, receivedAt: Int64) {
        let length = Int(lengths[i])
        let bytes = length > Self.receiveStride
            ? nil : UnsafeRawBufferPointer(start: receiveBuffer + i * Self.receiveStride, count: length)
        return (bytes, UnsafePointer(sources + i), receivedAt[i])
    }

    /// Makes room for `count` datagrams in the send arrays (grown, never shrunk: the tick's batch is ~100).
    func reserveSend(_ count: Int) {
        guard count > sendCapacity else { return }
        let capacity = max(count, 2 * sendCapacity, 128)
        offsets?.deallocate()
        sendLengths?.deallocate()
        targets?.deallocate()
        targetLengths?.deallocate()
        offsets = .allocate(capacity: capacity)
        sendLengths = .allocate(capacity: capacity)
        targets = .allocate(capacity: capacity)
        targetLengths = .allocate(capacity: capacity)
        sendCapacity = capacity
    }

    /// Puts datagram `slot` of the next `send`: `range` of the batch's bytes to `target`.
    func setDatagram(_ slot: Int, range: Range<Int>, target: UnsafePointer<sockaddr>, targetLength: Int) {
        offsets![slot] = UInt32(truncatingIfNeeded: range.lowerBound)
        sendLengths![slot] = UInt32(truncatingIfNeeded: range.count)
        let length = min(targetLength, MemoryLayout<sockaddr_storage>.size)
        UnsafeMutableRawPointer(targets! + slot).copyMemory(from: target, byteCount: length)
        targetLengths![slot] = UInt32(length)
    }

    /// Sends datagrams `from ..< count` set with `setDatagram`, out of `bytes`: how many left (0 on a full send
    /// buffer or a closed twin), or `-errno` when the first of them failed (the caller skips it).
    func send(bytes: UnsafeRawBufferPointer, from: Int, count: Int) -> Int {
        guard from < count, let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        let sent = lock.withLock { () -> Int32 in
            guard descriptor >= 0 else { return 0 }
            return tdm_sip_twin_send(descriptor, base, offsets! + from, sendLengths! + from, targets! + from,
                                     targetLengths! + from, UInt32(count - from))
        }
        return Int(sent)
    }
}
