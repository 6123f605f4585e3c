#if canImport(Glibc)
import Glibc
#endif
import CShims

/// A non-blocking IPv4 UDP socket owned by one generator thread; closed when released.
///
/// Media sockets turn on kernel receive timestamps (SO_TIMESTAMPNS) so one-way latency does not include the time
/// the generator took to get around to reading.
public final class NonBlockingUDPSocket: Sendable {
    public let fd: Int32
    public let local: IPv4Endpoint

    public struct SocketError: Error, Sendable, CustomStringConvertible {
        public var operation: String
        public var errno: Int32
        public var description: String { "\(operation) failed: \(String(cString: strerror(errno)))" }
    }

    /// Binds to `address` (port 0 picks a free one).
    public init(bindingTo address: IPv4Endpoint, bufferBytes: Int = 0, timestamps: Bool = false) throws(SocketError) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError(operation: "socket", errno: errno) }
        if timestamps || bufferBytes > 0 {
            let rc = timestamps ? tdp_configure_udp_socket(fd, Int32(clamping: bufferBytes)) : 0
            if rc != 0 {
                close(fd)
                throw SocketError(operation: "setsockopt", errno: -rc)
            }
        }
        var sa = address.sockaddr
        let bound = withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let e = errno
            close(fd)
            throw SocketError(operation: "bind \(address)", errno: e)
        }
        var actual = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        self.fd = fd
        local = IPv4Endpoint(addressBigEndian: actual.sin_addr.s_addr, portBigEndian: actual.sin_port)
    }

    deinit { close(fd) }

    /// One datagram; true when the kernel took it.
    @discardableResult
    public func send(_ bytes: [UInt8], to destination: IPv4Endpoint) -> Bool {
        var sa = destination.sockaddr
        let n = bytes.withUnsafeBytes { buf in
            withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        return n == bytes.count
    }

    /// Waits up to `timeoutMilliseconds` for a datagram; nil on timeout.
    public func receive(timeoutMilliseconds: Int32, maxBytes: Int = 65536) -> [UInt8]? {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, max(0, timeoutMilliseconds)) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: maxBytes)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        guard n >= 0 else { return nil }
        return Array(buffer[0..<n])
    }

    /// Like `receive`, with the sender's address (for servers that answer).
    public func receiveWithSender(timeoutMilliseconds: Int32, maxBytes: Int = 65536) -> (data: [UInt8], from: IPv4Endpoint)? {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, max(0, timeoutMilliseconds)) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: maxBytes)
        var sa = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let n = buffer.withUnsafeMutableBytes { buf in
            withUnsafeMutablePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, buf.baseAddress, buf.count, Int32(MSG_DONTWAIT), $0, &len) }
            }
        }
        guard n >= 0 else { return nil }
        return (Array(buffer[0..<n]), IPv4Endpoint(addressBigEndian: sa.sin_addr.s_addr, portBigEndian: sa.sin_port))
    }
}
