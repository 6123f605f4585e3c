import CShims
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.0 responder for Prometheus scrapes: `GET /metrics` → the text exposition, anything else → 404.
/// One connection at a time on its own thread, with short socket timeouts so a stuck client cannot wedge it.
///
/// Hand-written on purpose: the relay library stays free of SwiftNIO (the data plane is its own I/O stack and
/// control is a single blocking thread), and a scrape every few seconds needs nothing more.
public final class MetricsHTTPListener: @unchecked Sendable {
    /// The bound address (useful with port 0).
    public let endpoint: SocketEndpoint
    private let fd: Int32
    private let thread = WorkerThread()
    private let stopped = Atomic<Bool>(false)
    private let render: @Sendable () -> String

    /// Binds and starts serving `render()` at `/metrics`.
    public init(endpoint requested: SocketEndpoint, render: @escaping @Sendable () -> String) throws(DataPlaneError) {
        let fd = socket(requested.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .systemCall("socket", errno: tdm_errno()) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var raw = requested.raw
        let bound = withUnsafePointer(to: &raw.sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(raw.len)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let error = tdm_errno()
            Glibc.close(fd)
            throw .systemCall("bind/listen metrics", errno: error)
        }
        self.fd = fd
        self.endpoint = UDPSocket.localEndpoint(of: fd) ?? requested
        self.render = render
        _ = thread.start(name: "relay-metrics") { [self] in serve() }
    }

    /// Stops accepting and joins the thread.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(fd, Int32(SHUT_RDWR))
        thread.join()
        Glibc.close(fd)
    }

    deinit { stop() }

    private func serve() {
        while !stopped.load(ordering: .acquiring) {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if stopped.load(ordering: .acquiring) { return }
                if tdm_errno() == EINTR || tdm_errno() == ECONNABORTED { continue }
                usleep(10_000)
                continue
            }
            respond(client)
            Glibc.close(client)
        }
    }

    private func respond(_ client: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        _ = setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while request.count < 16384 {
            let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            request += buffer[0..<count]
            if request.count >= 4, request.suffix(4) == [13, 10, 13, 10] { break }
            if request.count >= 2, request.suffix(2) == [10, 10] { break }
        }
        let line = request.prefix { $0 != 13 && $0 != 10 }
        let parts = line.split(separator: 0x20)
        let status: String
        var body: String
        var type = "text/plain; charset=utf-8"
        if parts.count >= 2, Array(parts[0]) == Array("GET".utf8),
           Array(parts[1]) == Array("/metrics".utf8) || parts[1].starts(with: Array("/metrics?".utf8)) {
            status = "200 OK"
            body = render()
            type = "text/plain; version=0.0.4; charset=utf-8"
        } else if parts.count >= 2, Array(parts[0]) != Array("GET".utf8) {
            status = "405 Method Not Allowed"
            body = "only GET\n"
        } else {
            status = "404 Not Found"
            body = "try /metrics\n"
        }
        let head = "HTTP/1.0 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        var bytes = Array(head.utf8)
        bytes += body.utf8
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { break }
            sent += count
        }
    }
}
