import NIOCore
import Signaling
import Testing

@Suite("TransportTCP", .serialized, .timeLimit(.minutes(1)))
struct TransportTCPTests {
    @Test func splitWritesAreReassembledAndCoalescedWritesAreSplit() async throws {
        let recorder = TransportEventRecorder()
        let transport = try await startLoopbackTransport([.tcp], handler: recorder)
        let port = try #require(transport.listeners[0].localAddress.port)
        let client = try TestTCPClient(connectingTo: port)

        // One message with a body, written in three pieces that straddle the header end and the body.
        let first = sampleRequest(method: "MESSAGE", body: "hello\r\n\r\nworld", tag: 1)
        let bytes = Array(first.utf8)
        let cut1 = 20
        let cut2 = bytes.count - 8
        client.write(Array(bytes[0..<cut1]))
        try await Task.sleep(for: .milliseconds(20))
        client.write(Array(bytes[cut1..<cut2]))
        try await Task.sleep(for: .milliseconds(20))
        #expect(recorder.messages.isEmpty)
        client.write(Array(bytes[cut2...]))
        #expect(await eventually { recorder.messages.count == 1 })

        // Two messages (the second with a body) in a single write.
        let second = sampleRequest(tag: 2)
        let third = sampleRequest(method: "INFO", body: "x=1", tag: 3)
        client.write(second + third)
        #expect(await eventually { recorder.messages.count == 3 })

        let messages = recorder.messages
        #expect(messages.map(\.byteArray) == [first, second, third].map { Array($0.utf8) })
        let connection = try #require(messages[0].connection)
        #expect(messages.allSatisfy { $0.transport == .tcp && $0.connection == connection })
        #expect(messages[0].source.port == client.port)
        #expect(transport.counters.streamMessagesIn == 3)
        #expect(transport.counters.connectionsAccepted == 1)
        await transport.shutdown()
    }

    @Test func missingContentLengthClosesTheConnection() async throws {
        let recorder = TransportEventRecorder()
        let transport = try await startLoopbackTransport([.tcp], handler: recorder)
        let client = try TestTCPClient(connectingTo: try #require(transport.listeners[0].localAddress.port))

        client.write("OPTIONS sip:edge@127.0.0.1 SIP/2.0\r\nCall-ID: a\r\n\r\n")
        #expect(client.isClosedByPeer())
        #expect(await eventually { transport.counters.framingErrors == 1 && recorder.closedConnections.count == 1 })
        #expect(recorder.messages.isEmpty)
        #expect(await eventually { transport.counters.connectionsClosed == 1 && transport.counters.connectionsOpen == 0 })
        await transport.shutdown()
    }

    @Test func oversizeMessageClosesTheConnection() async throws {
        let recorder = TransportEventRecorder()
        let transport = try await startLoopbackTransport([.tcp], handler: recorder) { $0.tcpMaxMessageSize = 1000 }
        let client = try TestTCPClient(connectingTo: try #require(transport.listeners[0].localAddress.port))

        client.write(sampleRequest(tag: 1))  // fits
        client.write(sampleRequest(method: "INVITE", body: String(repeating: "v", count: 2000), tag: 2))
        #expect(client.isClosedByPeer())
        #expect(await eventually { transport.counters.oversizeDrops == 1 })
        #expect(recorder.messages.count == 1)
        await transport.shutdown()
    }

    @Test func crlfPingIsAnsweredWithPong() async throws {
        let recorder = TransportEventRecorder()
        let transport = try await startLoopbackTransport([.tcp], handler: recorder)
        let client = try TestTCPClient(connectingTo: try #require(transport.listeners[0].localAddress.port))

        client.write("\r\n\r\n")
        #expect(client.read(count: 2) == Array("\r\n".utf8))
        // The connection stays usable: a ping, then a message in the same write.
        client.write("\r\n\r\n" + sampleRequest())
        #expect(client.read(count: 2) == Array("\r\n".utf8))
        #expect(await eventually { recorder.messages.count == 1 })
        #expect(transport.counters.pingsReceived == 2)
        await transport.shutdown()
    }

    @Test func outgoingPingIsToldOfThePong() async throws {
        let recorder = TransportEventRecorder()
        let transport = try await startLoopbackTransport([.tcp], handler: recorder)
        let client = try TestTCPClient(connectingTo: try #require(transport.listeners[0].localAddress.port))
        client.write(sampleRequest(method: "REGISTER"))
        #expect(await eventually { recorder.messages.count == 1 })
        let connection = try #require(recorder.messages.first?.connection)

        // The phone answers the ping with a pong.
        // The promise form, not `async let`: the blocking reads below must not wait for a cooperative-pool thread
        // that other suites' blocking tests may be holding.
        let pinged = transport.eventLoopGroup.next().makePromise(of: Void.self)
        transport.ping(connection, timeout: .seconds(5), promise: pinged)
        #expect(client.read(count: 4) == Array("\r\n\r\n".utf8))
        client.write("\r\n")
        try await pinged.futureResult.get()
        #expect(transport.counters.pingsSent == 1)
        #expect(transport.counters.pongsReceived == 1)

        // A phone that stays silent: the ping times out, and the connection stays open.
        await #expect(throws: SIPTransportError.pongTimeout(connection)) {
            try await transport.ping(connection, timeout: .milliseconds(100))
        }
        #expect(transport.connection(to: try #require(recorder.messages.first?.source), via: transport.listeners[0].id) == connection)
        await transport.shutdown()
    }

    @Test func sendToAClientReusesItsConnection() async throws {
        let recorder = TransportEventRecorder()
        let transport = try await startLoopbackTransport([.tcp], handler: recorder)
        let client = try TestTCPClient(connectingTo: try #require(transport.listeners[0].localAddress.port))
        client.write(sampleRequest(method: "REGISTER"))
        #expect(await eventually { recorder.messages.count == 1 })
        let inbound = try #require(recorder.messages.first)

        // A request towards the registered phone, addressed by its source: it must arrive on the phone's own
        // connection, not on a new one.
        let invite = sampleRequest(method: "INVITE", body: "v=0\r\n", tag: 9)
        try await transport.send(ByteBuffer(string: invite), to: inbound.source, via: inbound.local)
        #expect(client.read(count: invite.utf8.count) == Array(invite.utf8))
        // And over the connection by ID.
        let reply = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"
        try await transport.send(ByteBuffer(string: reply), over: try #require(inbound.connection))
        #expect(client.read(count: reply.utf8.count) == Array(reply.utf8))

        #expect(transport.connection(to: inbound.source, via: inbound.local) == inbound.connection)
        let counters = transport.counters
        #expect(counters.connectionsOpened == 0)
        #expect(counters.connectionsOpen == 1)
        #expect(counters.streamMessagesOut == 2)
        await transport.shutdown()
    }

    @Test func sendWithoutAConnectionOpensOneAndReusesIt() async throws {
        let recorder = TransportEventRecorder()
        let transport = try await startLoopbackTransport([.tcp], handler: recorder)
        let server = try TestTCPServer()
        let destination = try SocketAddress(ipAddress: "127.0.0.1", port: server.port)
        let via = transport.listeners[0].id

        let first = sampleRequest(method: "INVITE", tag: 1)
        let second = sampleRequest(method: "BYE", tag: 2)
        // Two sends at once share one connection attempt.
        // Promises, not `async let`: the blocking accept below must not wait for a cooperative-pool thread.
        let loop = transport.eventLoopGroup.next()
        let a = loop.makePromise(of: Void.self)
        let b = loop.makePromise(of: Void.self)
        transport.send(ByteBuffer(string: first), to: destination, via: via, promise: a)
        transport.send(ByteBuffer(string: second), to: destination, via: via, promise: b)
        let accepted = try #require(server.accept())
        try await a.futureResult.get()
        try await b.futureResult.get()
        let received = accepted.read(count: first.utf8.count + second.utf8.count)
        #expect(received.count == first.utf8.count + second.utf8.count)
        #expect(server.accept(milliseconds: 100) == nil)

        // The server answers over that connection; the transport delivers it with the connection's ID.
        accepted.write("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n")
        #expect(await eventually { recorder.messages.count == 1 })
        let answer = try #require(recorder.messages.first)
        #expect(answer.connection == transport.connection(to: destination, via: via))
        #expect(answer.source == destination)
        #expect(transport.counters.connectionsOpened == 1)

        // Once the server closes it, the flow is forgotten and the next send connects again.
        let closed = try #require(answer.connection)
        _ = consume accepted
        #expect(await eventually { recorder.closedConnections == [closed] })
        #expect(transport.connection(to: destination, via: via) == nil)
        try await transport.send(ByteBuffer(string: first), to: destination, via: via)
        #expect(server.accept() != nil)
        #expect(transport.counters.connectionsOpened == 2)
        await transport.shutdown()
    }

    @Test func connectFailureIsReported() async throws {
        let transport = try await startLoopbackTransport([.tcp], handler: TransportEventRecorder())
        let unused = try TestTCPServer()
        let port = unused.port
        _ = consume unused  // closed: nothing listens there now
        let destination = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        await #expect(throws: (any Error).self) {
            try await transport.send(ByteBuffer(string: sampleRequest()), to: destination, via: transport.listeners[0].id)
        }
        #expect(transport.counters.connectFailures == 1)
        #expect(transport.counters.sendFailures == 1)
        await transport.shutdown()
    }

    @Test func idleConnectionsAreClosed() async throws {
        let recorder = TransportEventRecorder()
        let transport = try await startLoopbackTransport([.tcp], handler: recorder) {
            $0.tcpIdleTimeout = .milliseconds(150)
        }
        let client = try TestTCPClient(connectingTo: try #require(transport.listeners[0].localAddress.port))
        client.write(sampleRequest())
        #expect(client.isClosedByPeer(milliseconds: 3000))
        #expect(await eventually { transport.counters.idleClosures == 1 && recorder.closedConnections.count == 1 })
        await transport.shutdown()
    }

    @Test func shutdownFlushesAndClosesConnections() async throws {
        let recorder = TransportEventRecorder()
        let transport = try await startLoopbackTransport([.tcp, .udp], handler: recorder)
        let port = try #require(transport.listeners[0].localAddress.port)
        let client = try TestTCPClient(connectingTo: port)
        client.write(sampleRequest())
        #expect(await eventually { recorder.messages.count == 1 })
        let inbound = try #require(recorder.messages.first)
        let goodbye = sampleRequest(method: "NOTIFY", body: String(repeating: "n", count: 20_000))
        transport.send(ByteBuffer(string: goodbye), to: inbound.source, via: inbound.local, promise: nil)
        await transport.shutdown()
        // Everything queued before shutdown was flushed before the close.
        #expect(client.read(count: goodbye.utf8.count) == Array(goodbye.utf8))
        #expect(client.isClosedByPeer())
        #expect(throws: (any Error).self) { try TestTCPClient(connectingTo: port) }
        #expect(recorder.closedConnections.count == 1)
    }
}
