#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import Signaling

/// The edge's ESL links and SIGHUP reload of the dispatcher, on loopback.
@Suite("EdgeDispatchLinks", .serialized, .timeLimit(.minutes(1)))
struct EdgeDispatchLinkTests {
    /// Plays FreeSWITCH for `connections` connections in a row: greeting, auth, subscription, one
    /// HEARTBEAT (session count 7, then 8, ...), then the disconnect notice.
    private static func serve(listener: Int32, connections: Int) {
        for index in 0..<connections {
            guard LoopbackSocket.waitReadable(listener, milliseconds: 20_000) else { return }
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            var server = FakeESLServer(password: "pw")
            func write(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
            write(server.greeting())
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !server.closed, server.subscribed.isEmpty {
                guard LoopbackSocket.waitReadable(fd, milliseconds: 5_000) else { break }
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { break }
                write(server.receive(Array(buffer[0..<count])))
            }
            if let beat = server.heartbeat(sessionCount: 7 + index, maxSessions: 100, idleCPU: 80) {
                write(beat)
                usleep(100_000)
                write(server.disconnectNotice())
            }
            usleep(100_000)
            close(fd)
        }
    }

    @Test func heartbeatsReachTheDispatcherAndTheLinkReconnects() async throws {
        let listener = try LoopbackSocket.make(Int32(SOCK_STREAM.rawValue))
        defer { close(listener) }
        try LoopbackSocket.bind(listener, port: 0)
        #expect(listen(listener, 4) == 0)
        let eslPort = LoopbackSocket.localPort(listener)
        let backend = try FakeBackend()
        let edge = try await startTestEdge { configuration in
            let box = DispatcherDestinationConfiguration(
                uri: backend.uri, attributes: .init(esl: ESLEndpoint(host: "127.0.0.1", port: eslPort, password: "pw")))
            configuration.dispatcher = DispatcherConfiguration(
                sets: [DispatcherSetConfiguration(name: "fs", algorithm: .freeswitchLoad, destinations: [box])],
                probing: DispatcherProbingSettings(probesActiveDestinations: false))
        }
        // Started after the edge (whose start can be slow on a loaded machine): the edge's connect
        // waits in the listen backlog meanwhile.
        let serverThread = Thread { Self.serve(listener: listener, connections: 2) }
        serverThread.start()
        func sessions() -> String? {
            (try? adminRequest(edge, "GET", "/dispatcher").1).flatMap { body in
                ["7", "8"].first { body.contains("\"sessions\":\($0)") }
            }
        }
        #expect(pump([backend], edgePort: edge.udpPort, milliseconds: 10_000) { sessions() == "7" })
        // The first link ends with the disconnect notice; the reconnect (1 s back-off) gets heartbeat 8.
        #expect(pump([backend], edgePort: edge.udpPort, milliseconds: 10_000) { sessions() == "8" })
        let (_, body) = try adminRequest(edge, "GET", "/dispatcher")
        #expect(body.contains("\"esl\":true"))
        await edge.stop()
    }

    @Test func reloadKeepsStateAndAddsAndRemovesBoxes() async throws {
        let backends = try [FakeBackend(), FakeBackend(), FakeBackend()]
        var configuration = EdgeConfiguration()
        let edge = try await startTestEdge { start in
            start.dispatcher = DispatcherConfiguration(
                sets: [DispatcherSetConfiguration(name: "fs", destinations: backends.prefix(2).map { .init(uri: $0.uri) })],
                probing: DispatcherProbingSettings(probesActiveDestinations: false))
            configuration = start
        }
        _ = try adminRequest(edge, "POST", "/dispatcher/disable?uri=\(backends[0].uri)")
        configuration.dispatcher?.sets = [DispatcherSetConfiguration(name: "fs", destinations: [backends[0], backends[2]].map {
            .init(uri: $0.uri)
        })]
        try await edge.reload(configuration)
        #expect(try dispatcherState(edge, backends[0].uri) == "disabled")
        #expect(try dispatcherState(edge, backends[1].uri) == nil)
        #expect(try dispatcherState(edge, backends[2].uri) == "active")
        let phone = try TestUDPClient()
        for index in 1...2 {
            phone.send(dispatchInvite(phone: phone, user: "bob", callID: "rl-\(index)"), toPort: edge.udpPort)
            #expect(pump(backends, edgePort: edge.udpPort) { Set(backends.flatMap(\.invites)).count == index })
        }
        #expect(Set(backends[2].invites).count == 2)
        await edge.stop()
    }
}
