#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// One inbound event-socket connection to a FreeSWITCH box over a plain blocking POSIX socket on its
/// own thread (ESL is one small event per box every 20 s, so a thread per box is cheaper than
/// plumbing it into the SIP event loops). It drives `ESLClientState` and hands every action except
/// `.send` to `handler`, on the connection's thread. One attempt per `start()`: when the connection
/// ends the handler gets `.disconnected`/`.authFailed` and the thread exits; reconnect policy
/// (back-off) belongs to the owner.
public final class ESLConnection: Sendable {
    public let endpoint: ESLEndpoint
    private let events: [String]
    private let connectTimeoutMilliseconds: Int
    private let handler: @Sendable (ESLClientAction) -> Void
    /// The socket while open (-1 otherwise) and whether `stop()` was called.
    private let socketState = Mutex<(fd: Int32, stopped: Bool)>((-1, false))

    public init(endpoint: ESLEndpoint, events: [String] = ["HEARTBEAT"], connectTimeoutMilliseconds: Int = 3_000,
                handler: @escaping @Sendable (ESLClientAction) -> Void)
    {
        self.endpoint = endpoint
        self.events = events
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.handler = handler
    }

    /// Connects and runs the conversation on a new thread.
    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "esl \(endpoint.host):\(endpoint.port)"
        thread.start()
    }

    /// Closes the connection; the thread reports `.disconnected` and ends.
    public func stop() {
        socketState.withLock { state in
            state.stopped = true
            if state.fd >= 0 { _ = shutdown(state.fd, Int32(SHUT_RDWR)) }
        }
    }

    private func run() {
        guard let fd = connectSocket() else {
            handler(.disconnected("cannot connect to \(endpoint.host):\(endpoint.port): errno \(errno)"))
            return
        }
        let proceed = socketState.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.fd = fd
            return true
        }
        guard proceed else {
            _ = close(fd)
            handler(.disconnected("stopped"))
            return
        }
        var client = ESLClientState(password: endpoint.password, events: events)
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        loop: while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            let actions = count > 0 ? client.receive(buffer[0..<count]) : client.connectionClosed()
            for action in actions {
                if case .send(let bytes) = action {
                    guard sendAll(fd, bytes) else {
                        for closing in client.connectionClosed() { handler(closing) }
                        break loop
                    }
                } else {
                    handler(action)
                }
            }
            if client.phase == .closed { break }
        }
        socketState.withLock { state in
            _ = close(state.fd)
            state.fd = -1
        }
    }

    private func connectSocket() -> Int32? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(endpoint.host, String(endpoint.port), &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(list) }
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                // On Linux SO_SNDTIMEO bounds a blocking connect().
                var timeout = timeval(tv_sec: connectTimeoutMilliseconds / 1000,
                                      tv_usec: (connectTimeoutMilliseconds % 1000) * 1000)
                _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
                _ = close(fd)
            }
            cursor = info.pointee.ai_next
        }
        return nil
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return -1 }
                return send(fd, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }
}
