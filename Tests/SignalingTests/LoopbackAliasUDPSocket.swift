#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A UDP socket on another loopback address (127.0.0.77 by default) and a fixed port, standing in for a SIP element
/// whose Via names that port. Why: a request without `rport` is answered at its Via's sent-by port (RFC 3261
/// §18.2.2, with `received` set to the packet's source), so a test that sends fixed bytes (RFC 4475) must listen
/// where those bytes say; a 127/8 address of its own keeps that off whatever holds 127.0.0.1:5060.
final class LoopbackAliasUDPSocket {
    let fd: Int32
    let host: String
    let port: Int

    init(host: String = "127.0.0.77", port: Int) throws {
        fd = try LoopbackSocket.make(Int32(SOCK_DGRAM.rawValue))
        self.host = host
        self.port = port
        var address = LoopbackSocket.address(port: port)
        address.sin_addr.s_addr = inet_addr(host)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            close(fd)
            throw LoopbackSocket.Failure(description: "bind(\(host):\(port)) failed: errno \(errno)")
        }
    }

    deinit { close(fd) }

    /// Sends to 127.0.0.1:`port`.
    func send(_ bytes: [UInt8], toPort port: Int) {
        var address = LoopbackSocket.address(port: port)
        _ = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// One datagram, or nil after `milliseconds`.
    func receive(milliseconds: Int32) -> [UInt8]? {
        guard LoopbackSocket.waitReadable(fd, milliseconds: milliseconds) else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { return nil }
        return Array(buffer[0..<count])
    }

    /// Throws away whatever is queued (late answers of the previous message).
    func drain() {
        while receive(milliseconds: 0) != nil {}
    }
}
