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
}
