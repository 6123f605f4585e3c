#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import Signaling
import Synchronization

/// Plain blocking loopback sockets for the transport tests: the client side is deliberately not NIO, so that the
/// tests see exactly the bytes, ports and segment boundaries a phone would produce.
enum LoopbackSocket {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func address(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    static func make(_ type: Int32) throws -> Int32 {
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        return fd
    }

    static func bind(_ fd: Int32, port: Int) throws {
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.address(port: port)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else { throw Failure(description: "bind() failed: errno \(errno)") }
    }

    static func localPort(_ fd: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Waits until `fd` is readable; false on timeout.
    static func waitReadable(_ fd: Int32, milliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, milliseconds) > 0
    }
}

/// A UDP socket on 127.0.0.1 with an ephemeral port, standing in for a phone.
final class TestUDPClient {
    let fd: Int32
    let port: Int

    init() throws {
        self.fd = try LoopbackSocket.make(Int32(SOCK_DGRAM.rawValue))
        try LoopbackSocket.bind(self.fd, port: 0)
        self.port = LoopbackSocket.localPort(self.fd)
    }

    deinit { close(self.fd) }

    /// The client's address as the transport sees it.
    func socketAddress() throws -> SocketAddress {
        try SocketAddress(ipAddress: "127.0.0.1", port: self.port)
    }

    func send(_ bytes: [UInt8], toPort port: Int) {
        var address = LoopbackSocket.address(port: port)
        _ = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(self.fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    func send(_ text: String, toPort port: Int) { self.send(Array(text.utf8), toPort: port) }

    /// One datagram and the port it came from, or nil after `milliseconds`.
    func receive(milliseconds: Int32 = 2000) -> (bytes: [UInt8], fromPort: Int)? {
        guard LoopbackSocket.waitReadable(self.fd, milliseconds: milliseconds) else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let count = buffer.withUnsafeMutableBytes { raw in
            withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    recvfrom(self.fd, raw.baseAddress, raw.count, 0, $0, &length)
                }
            }
        }
        guard count >= 0 else { return nil }
        return (Array(buffer[0..<count]), Int(UInt16(bigEndian: address.sin_port)))
    }
}

/// A TCP connection from 127.0.0.1, standing in for a phone (or, when accepted by `TestTCPServer`, a server).
final class TestTCPClient {
    let fd: Int32

    init(fd: Int32) { self.fd = fd }

    /// Connects to 127.0.0.1:`port` with Nagle off, so each `write` leaves as its own segment.
    init(connectingTo port: Int) throws {
        self.fd = try LoopbackSocket.make(Int32(SOCK_STREAM.rawValue))
        var one: Int32 = 1
        setsockopt(self.fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = LoopbackSocket.address(port: port)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(self.fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            close(self.fd)
            throw LoopbackSocket.Failure(description: "connect() failed: errno \(errno)")
        }
    }

    deinit { close(self.fd) }

    var port: Int { LoopbackSocket.localPort(self.fd) }

    func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(self.fd, $0.baseAddress, $0.count) }
            guard written > 0 else { return }
            offset += written
        }
    }

    func write(_ text: String) { self.write(Array(text.utf8)) }

    /// Reads until `count` bytes arrived, the peer closed, or `milliseconds` passed without data.
    func read(count: Int, milliseconds: Int32 = 2000) -> [UInt8] {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while received.count < count {
            guard LoopbackSocket.waitReadable(self.fd, milliseconds: milliseconds) else { break }
            let n = chunk.withUnsafeMutableBytes { Glibc.read(self.fd, $0.baseAddress, min($0.count, count - received.count)) }
            guard n > 0 else { break }
            received += chunk[0..<n]
        }
        return received
    }

    /// True when the peer closed the connection (EOF or reset) within `milliseconds`.
    func isClosedByPeer(milliseconds: Int32 = 2000) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let deadline = ContinuousClock.now + .milliseconds(Int(milliseconds))
        while ContinuousClock.now < deadline {
            guard LoopbackSocket.waitReadable(self.fd, milliseconds: 50) else { continue }
            let n = chunk.withUnsafeMutableBytes { Glibc.read(self.fd, $0.baseAddress, $0.count) }
            if n <= 0 { return true }
        }
        return false
    }
}

/// A listening TCP socket on 127.0.0.1, standing in for a server the transport connects to.
final class TestTCPServer {
    let fd: Int32
    let port: Int

    init() throws {
        self.fd = try LoopbackSocket.make(Int32(SOCK_STREAM.rawValue))
        try LoopbackSocket.bind(self.fd, port: 0)
        guard listen(self.fd, 16) == 0 else { throw LoopbackSocket.Failure(description: "listen() failed") }
        self.port = LoopbackSocket.localPort(self.fd)
    }

    deinit { close(self.fd) }

    func accept(milliseconds: Int32 = 2000) -> TestTCPClient? {
        guard LoopbackSocket.waitReadable(self.fd, milliseconds: milliseconds) else { return nil }
        let connection = Glibc.accept(self.fd, nil, nil)
        return connection >= 0 ? TestTCPClient(fd: connection) : nil
    }
}

/// Records every transport event (with message bytes copied), and optionally answers messages.
final class TransportEventRecorder: InboundSIPHandler {
    private let events = Mutex<[TransportEvent]>([])
    private let onMessage: (@Sendable (InboundSIP, SIPTransport) -> Void)?

    init(onMessage: (@Sendable (InboundSIP, SIPTransport) -> Void)? = nil) {
        self.onMessage = onMessage
    }

    func handle(_ event: TransportEvent, transport: SIPTransport) {
        switch event {
        case .message(var message):
            message.bytes = ByteBuffer(buffer: message.bytes)
            self.events.withLock { $0.append(.message(message)) }
            self.onMessage?(message, transport)
        case .connectionClosed:
            self.events.withLock { $0.append(event) }
        }
    }

    var messages: [InboundSIP] {
        self.events.withLock { events in
            events.compactMap { if case .message(let message) = $0 { message } else { nil } }
        }
    }

    var closedConnections: [ConnectionID] {
        self.events.withLock { events in
            events.compactMap { if case .connectionClosed(let id, _, _) = $0 { id } else { nil } }
        }
    }
}

/// Counts messages without keeping them (for bursts).
final class TransportMessageCounter: InboundSIPHandler {
    private let count = Atomic<Int>(0)

    var received: Int { self.count.load(ordering: .relaxed) }

    func handle(_ event: TransportEvent, transport: SIPTransport) {
        if case .message = event { self.count.wrappingAdd(1, ordering: .relaxed) }
    }
}

/// Polls `condition` every few milliseconds until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

/// Builds a transport on 127.0.0.1 ephemeral ports, one listener per kind given, and starts it.
func startLoopbackTransport(
    _ kinds: [SIPTransportKind],
    handler: some InboundSIPHandler,
    tune: (inout SIPTransportConfiguration) -> Void = { _ in }
) async throws -> SIPTransport {
    var configuration = SIPTransportConfiguration(
        listeners: kinds.map { SIPListenerConfiguration(host: "127.0.0.1", port: 0, transport: $0) }
    )
    configuration.eventLoopThreads = 2
    configuration.udpReceiveBufferSize = 4 << 20
    tune(&configuration)
    let transport = SIPTransport(configuration: configuration, handler: handler)
    try await transport.start()
    return transport
}

/// A minimal SIP request with a Content-Length-framed body.
func sampleRequest(method: String = "OPTIONS", body: String = "", tag: Int = 1) -> String {
    "\(method) sip:edge@127.0.0.1 SIP/2.0\r\n"
        + "Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK-\(tag)\r\n"
        + "Call-ID: call-\(tag)@test\r\n"
        + "CSeq: \(tag) \(method)\r\n"
        + "Content-Length: \(body.utf8.count)\r\n"
        + "\r\n"
        + body
}
