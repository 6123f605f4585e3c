import CShims
#if canImport(Glibc)
import Glibc
#endif

/// Opening the UDP sockets that become stream sockets. Control binds (it chooses ports), then hands the
/// descriptor to `DataPlane.addStream`, which owns it from then on.
public enum UDPSocket {
    /// A bound, close-on-exec UDP socket for `endpoint` (port 0 picks one). `bufferBytes` sets SO_RCVBUF and
    /// SO_SNDBUF (with the FORCE variants first, which root may use beyond net.core.rmem_max).
    public static func bind(_ endpoint: SocketEndpoint, bufferBytes: Int32? = 1 << 21) throws(DataPlaneError) -> Int32 {
        let fd = socket(endpoint.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .systemCall("socket", errno: tdm_errno()) }
        if var size = bufferBytes {
            let length = socklen_t(MemoryLayout<Int32>.size)
            if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, length) != 0 {
                _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, length)
            }
            if setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, length) != 0 {
                _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, length)
            }
        }
        var raw = endpoint.raw
        let result = withUnsafePointer(to: &raw.sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(raw.len)) }
        }
        guard result == 0 else {
            let error = tdm_errno()
            close(fd)
            throw .systemCall("bind", errno: error)
        }
        return fd
    }

    /// Parks an idle bound socket: connects it to its own address, so that the kernel refuses datagrams from
    /// anyone else (ICMP port unreachable, exactly as for an unbound port) instead of queueing them into its
    /// receive buffer. False when that failed (the caller should close the socket instead of keeping it).
    public static func park(_ fd: Int32, at local: SocketEndpoint) -> Bool {
        var raw = local.raw
        return withUnsafePointer(to: &raw.sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(raw.len)) }
        } == 0
    }

    /// Undoes `park` (connect to AF_UNSPEC dissolves the association; a socket bound to an explicit port and
    /// address keeps both, while an ephemeral port would be released: park only explicitly bound sockets)
    /// and then drops whatever is queued on the socket. Returns the number of datagrams dropped, nil when the
    /// socket could not be made ready (an error, or more than `limit` datagrams queued): close it then.
    public static func unpark(_ fd: Int32, limit: Int = 4096) -> Int? {
        var unspecified = sockaddr()
        unspecified.sa_family = sa_family_t(AF_UNSPEC)
        guard connect(fd, &unspecified, socklen_t(MemoryLayout<sockaddr>.size)) == 0 else { return nil }
        return drain(fd, limit: limit)
    }

    /// Reads and drops every queued datagram (non-blocking). Returns how many, nil on an error other than
    /// "nothing queued" or when more than `limit` were queued.
    public static func drain(_ fd: Int32, limit: Int = 4096) -> Int? {
        var byte: UInt8 = 0
        for count in 0...limit {
            if recv(fd, &byte, 1, Int32(MSG_DONTWAIT) | Int32(MSG_TRUNC)) < 0 {
                let error = tdm_errno()
                return error == EAGAIN || error == EWOULDBLOCK ? count : nil
            }
        }
        return nil
    }

    /// The address a socket is bound to.
    public static func localEndpoint(of fd: Int32) -> SocketEndpoint? {
        var raw = tdm_endpoint()
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        let result = withUnsafeMutablePointer(to: &raw.sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { return nil }
        raw.len = UInt32(length)
        return SocketEndpoint(raw)
    }

    /// Sends one datagram from `fd` to `destination` without blocking; false when the kernel refused it. For the
    /// control thread's rare sends on a stream socket (ICE check answers), never the media path.
    public static func send(_ bytes: [UInt8], from fd: Int32, to destination: SocketEndpoint) -> Bool {
        var raw = destination.raw
        let length = socklen_t(raw.len)
        let sent = bytes.withUnsafeBytes { payload in
            withUnsafePointer(to: &raw.sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, payload.baseAddress, payload.count, Int32(MSG_DONTWAIT), $0, length)
                }
            }
        }
        return sent == bytes.count
    }
}
