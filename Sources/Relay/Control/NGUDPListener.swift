import CShims
#if canImport(Glibc)
import Glibc
#endif

/// The ng control sockets: one plain UDP socket per `listen-ng` address (IPv4 or IPv6), read and answered with
/// blocking-free `recvfrom`/`sendto` by the control thread after `poll` says they are readable.
final class NGUDPListener {
    struct Datagram {
        var bytes: [UInt8]
        var source: sockaddr_storage
        var sourceLength: socklen_t
        var socket: Int32
    }

    let sockets: [Int32]
    let endpoints: [SocketEndpoint]
    /// One byte more than any UDP payload, so nothing is ever silently cut.
    private var buffer = [UInt8](repeating: 0, count: 65536)

    init(endpoints requested: [SocketEndpoint]) throws(DataPlaneError) {
        var sockets: [Int32] = []
        var endpoints: [SocketEndpoint] = []
        for endpoint in requested {
            do {
                let fd = try UDPSocket.bind(endpoint, bufferBytes: 1 << 20)
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                sockets.append(fd)
                endpoints.append(UDPSocket.localEndpoint(of: fd) ?? endpoint)
            } catch {
                for fd in sockets { Glibc.close(fd) }
                throw error
            }
        }
        self.sockets = sockets
        self.endpoints = endpoints
    }

    /// The next datagram waiting on `socket`, nil when none (EAGAIN) or on error.
    func receive(on socket: Int32) -> Datagram? {
        var source = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let count = buffer.withUnsafeMutableBytes { bytes in
            withUnsafeMutablePointer(to: &source) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    recvfrom(socket, bytes.baseAddress, bytes.count, 0, $0, &length)
                }
            }
        }
        guard count >= 0 else { return nil }
        return Datagram(bytes: Array(buffer[0..<count]), source: source, sourceLength: length, socket: socket)
    }

    /// Sends `reply` back to where `request` came from (best effort: UDP).
    func reply(_ reply: [UInt8], to request: Datagram) {
        var source = request.source
        _ = reply.withUnsafeBytes { bytes in
            withUnsafePointer(to: &source) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(request.socket, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), $0, request.sourceLength)
                }
            }
        }
    }

    func close() {
        for fd in sockets { Glibc.close(fd) }
    }
}
