#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import Testing
@testable import Signaling

/// `ESLConnection` against `FakeESLServer` on a real loopback TCP socket.
@Suite struct DispatcherESLConnectionTests {
    /// Accepts one connection and plays the fake server: greeting, auth, subscription, one heartbeat,
    /// then the disconnect notice FreeSWITCH sends on `exit`.
    private static func serve(listener: Int32, password: String) {
        guard LoopbackSocket.waitReadable(listener, milliseconds: 5_000) else { return }
        let fd = accept(listener, nil, nil)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var server = FakeESLServer(password: password)
        func write(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
        write(server.greeting())
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !server.closed, server.subscribed.isEmpty {
            guard LoopbackSocket.waitReadable(fd, milliseconds: 5_000) else { return }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            write(server.receive(Array(buffer[0..<count])))
        }
        if let beat = server.heartbeat(sessionCount: 7, maxSessions: 500, idleCPU: 95.25, hostname: "fs-loop") {
            write(beat)
            write(server.disconnectNotice())
        }
    }

    private func run(password: String, serverPassword: String) throws -> [ESLClientAction] {
        let listener = try LoopbackSocket.make(Int32(SOCK_STREAM.rawValue))
        defer { close(listener) }
        try LoopbackSocket.bind(listener, port: 0)
        guard listen(listener, 1) == 0 else { throw LoopbackSocket.Failure(description: "listen failed") }
        let port = LoopbackSocket.localPort(listener)
        let serverThread = Thread { Self.serve(listener: listener, password: serverPassword) }
        serverThread.start()

        let seen = Mutex<[ESLClientAction]>([])
        let done = Atomic<Bool>(false)
        let connection = ESLConnection(endpoint: .init(host: "127.0.0.1", port: port, password: password)) { action in
            seen.withLock { $0.append(action) }
            switch action {
            case .disconnected, .authFailed: done.store(true, ordering: .releasing)
            default: break
            }
        }
        connection.start()
        for _ in 0..<500 where !done.load(ordering: .acquiring) { usleep(10_000) }
        connection.stop()
        return seen.withLock { $0 }
    }

    @Test func connectsAuthenticatesAndDeliversHeartbeats() throws {
        let actions = try run(password: "pw", serverPassword: "pw")
        #expect(actions.prefix(3) == [.authenticated, .subscribed,
                                      .heartbeat(.init(hostname: "fs-loop", sessionCount: 7, maxSessions: 500,
                                                       idleCPU: 95.25, sessionsPerSecond: 30))])
        guard case .disconnected = actions.last else {
            Issue.record("expected a disconnect, got \(actions)")
            return
        }
    }

    @Test func wrongPasswordOverTheSocket() throws {
        let actions = try run(password: "bad", serverPassword: "pw")
        #expect(actions == [.authFailed("-ERR invalid")])
    }

    @Test func refusedConnectionIsADisconnect() throws {
        // Bind a port, then close it so nothing listens there.
        let probe = try LoopbackSocket.make(Int32(SOCK_STREAM.rawValue))
        try LoopbackSocket.bind(probe, port: 0)
        let port = LoopbackSocket.localPort(probe)
        close(probe)
        let seen = Mutex<[ESLClientAction]>([])
        let connection = ESLConnection(endpoint: .init(host: "127.0.0.1", port: port)) { action in
            seen.withLock { $0.append(action) }
        }
        connection.start()
        for _ in 0..<300 where seen.withLock({ $0.isEmpty }) { usleep(10_000) }
        let actions = seen.withLock { $0 }
        #expect(actions.count == 1)
        if case .disconnected(let reason) = actions.first { #expect(reason.hasPrefix("cannot connect")) }
    }
}
