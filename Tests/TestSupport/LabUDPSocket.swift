import Foundation

/// A datagram received by a `LabUDPSocket`, with the sender's address as text.
public struct LabDatagram: Sendable, Equatable {
    public let bytes: [UInt8]
    public let host: String
    public let port: UInt16
}

/// A plain blocking UDP socket for tests: bind, send, receive with a timeout.
///
/// Create it through `NetworkLab.udpSocket(in:bind:port:)`, which opens it on a thread inside the namespace; the
/// socket then stays in that namespace for its whole life, whichever thread uses it. The lab closes the sockets it
/// made on `shutdown()` (an open socket would otherwise keep a deleted namespace alive in the kernel).
public final class LabUDPSocket: @unchecked Sendable {
    private let lock = NSLock()
    private var fd: Int32
    public let isIPv6: Bool
    /// The bound port (the kernel's choice when bound to port 0).
    public let localPort: UInt16

    /// Opens and binds the socket in the *calling thread's* network namespace. `address` is a lab address or a
    /// wildcard (`0.0.0.0`, `::`).
    public init(bind address: String, port: UInt16 = 0) throws {
        var storage = try LabUDPSocket.socketAddress(address, port: port, allowWildcard: true)
        let family = Int32(storage.ss_family)
        isIPv6 = family == AF_INET6
        let descriptor = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw NetworkLabError.systemCall("socket", errno: errno) }
        let length = socklen_t(isIPv6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            let code = errno
            LabUDPSocket.closeDescriptor(descriptor)
            throw NetworkLabError.systemCall("bind \(address):\(port)", errno: code)
        }
        var local = sockaddr_storage()
        var localLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &localLength) }
        }
        localPort = LabUDPSocket.describe(local).port
        fd = descriptor
    }

    deinit { close() }

    private static func closeDescriptor(_ descriptor: Int32) { _ = Glibc.close(descriptor) }

    /// Closes the socket; later sends and receives throw. Idempotent.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    private var descriptor: Int32 {
        get throws {
            lock.lock()
            defer { lock.unlock() }
            guard fd >= 0 else { throw NetworkLabError.systemCall("socket already closed", errno: EBADF) }
            return fd
        }
    }

    /// Sends one datagram. Errors such as ECONNREFUSED (an ICMP error from an earlier send) are thrown.
    public func send(_ bytes: [UInt8], to host: String, port: UInt16) throws {
        var storage = try LabUDPSocket.socketAddress(host, port: port)
        let length = socklen_t(storage.ss_family == sa_family_t(AF_INET6) ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        let fd = try descriptor
        let sent = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buffer.baseAddress, buffer.count, 0, $0, length)
                }
            }
        }
        guard sent == bytes.count else { throw NetworkLabError.systemCall("sendto \(host):\(port)", errno: errno) }
    }

    /// Waits up to `timeout` for one datagram; nil if none arrived. ICMP errors queued on the socket (e.g.
    /// ECONNREFUSED) are swallowed and waiting continues, because tests care about datagrams, not about errors
    /// caused by earlier sends.
    public func receive(timeout: Duration) throws -> LabDatagram? {
        let fd = try descriptor
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let remaining = clock.now.duration(to: deadline)
            let milliseconds = max(0, Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000))
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, milliseconds)
            if ready < 0 && errno != EINTR { throw NetworkLabError.systemCall("poll", errno: errno) }
            if ready > 0 {
                var from = sockaddr_storage()
                var fromLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let count = buffer.withUnsafeMutableBytes { raw in
                    withUnsafeMutablePointer(to: &from) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            recvfrom(fd, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT), $0, &fromLength)
                        }
                    }
                }
                if count >= 0 {
                    let sender = LabUDPSocket.describe(from)
                    return LabDatagram(bytes: Array(buffer[0..<count]), host: sender.host, port: sender.port)
                }
                if errno != EAGAIN && errno != ECONNREFUSED && errno != EINTR {
                    throw NetworkLabError.systemCall("recvfrom", errno: errno)
                }
            }
            if clock.now >= deadline { return nil }
        }
    }

    /// A socket address for a lab address. Only lab ranges are accepted (see `LabAddress`), plus the wildcard
    /// addresses `0.0.0.0` and `::` when binding (harmless: the socket lives inside a lab namespace).
    static func socketAddress(_ host: String, port: UInt16, allowWildcard: Bool = false) throws -> sockaddr_storage {
        let parsed: LabAddress
        if allowWildcard && (host == "0.0.0.0" || host == "::") {
            parsed = LabAddress(wildcard: host == "::")
        } else {
            parsed = try LabAddress(host)
        }
        var storage = sockaddr_storage()
        if parsed.isIPv6 {
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    pointer.pointee.sin6_family = sa_family_t(AF_INET6)
                    pointer.pointee.sin6_port = port.bigEndian
                    _ = inet_pton(AF_INET6, parsed.address, &pointer.pointee.sin6_addr)
                }
            }
        } else {
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                    pointer.pointee.sin_family = sa_family_t(AF_INET)
                    pointer.pointee.sin_port = port.bigEndian
                    _ = inet_pton(AF_INET, parsed.address, &pointer.pointee.sin_addr)
                }
            }
        }
        return storage
    }

    static func describe(_ storage: sockaddr_storage) -> (host: String, port: UInt16) {
        var copy = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        if Int32(copy.ss_family) == AF_INET6 {
            return withUnsafeMutablePointer(to: &copy) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    _ = inet_ntop(AF_INET6, &pointer.pointee.sin6_addr, &text, socklen_t(text.count))
                    return (LabUDPSocket.string(text), UInt16(bigEndian: pointer.pointee.sin6_port))
                }
            }
        }
        return withUnsafeMutablePointer(to: &copy) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                _ = inet_ntop(AF_INET, &pointer.pointee.sin_addr, &text, socklen_t(text.count))
                return (LabUDPSocket.string(text), UInt16(bigEndian: pointer.pointee.sin_port))
            }
        }
    }

    private static func string(_ characters: [CChar]) -> String {
        String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
