import NIOCore
@testable import Signaling
import Testing

@Suite("TransportUDP", .serialized, .timeLimit(.minutes(1)))
struct TransportUDPTests {
    @Test func datagramArrivesWithSourceAndLocalSocket() async throws {
        let recorder = TransportEventRecorder()
        let transport = try await startLoopbackTransport([.udp, .udp], handler: recorder)
        let listeners = transport.listeners
        let client = try TestUDPClient()
        let request = sampleRequest(tag: 7)

        client.send(request, toPort: try #require(listeners[1].localAddress.port))
        #expect(await eventually { recorder.messages.count == 1 })

        let message = try #require(recorder.messages.first)
        #expect(message.byteArray == Array(request.utf8))
        #expect(message.source == (try client.socketAddress()))
        #expect(message.local == listeners[1].id)
        #expect(message.transport == .udp)
        #expect(message.connection == nil)
        #expect(transport.counters.datagramsIn == 1)
        #expect(transport.counters.datagramBytesIn == UInt64(request.utf8.count))
        await transport.shutdown()
    }

    @Test func replyLeavesFromTheSocketTheRequestArrivedOn() async throws {
        // The handler answers every message via the socket it arrived on; with two listeners, the client must see
        // the answer come from the port it sent to, whichever that was.
        let recorder = TransportEventRecorder { message, transport in
            transport.send(Array("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n".utf8), to: message.source, via: message.local)
        }
        let transport = try await startLoopbackTransport([.udp, .udp], handler: recorder)
        let ports = try transport.listeners.map { try #require($0.localAddress.port) }
        #expect(ports[0] != ports[1])
        let client = try TestUDPClient()

        for port in [ports[1], ports[0], ports[1]] {
            client.send(sampleRequest(), toPort: port)
            let reply = try #require(client.receive())
            #expect(reply.fromPort == port)
            #expect(String(decoding: reply.bytes, as: UTF8.self).hasPrefix("SIP/2.0 200 OK"))
        }

        // A request we originate (an OPTIONS keepalive towards a registered phone) leaves from the chosen socket too.
        transport.send(Array(sampleRequest().utf8), to: try client.socketAddress(), via: transport.listeners[0].id)
        #expect(try #require(client.receive()).fromPort == ports[0])
        #expect(await eventually { transport.counters.datagramsOut == 4 })
        await transport.shutdown()
    }

    /// A send the kernel would refuse in a way NIO treats as fatal for the socket (broadcast, off-host from a loopback
    /// listener, the other family) is refused before the write: the listener keeps reading. Before
    /// `DatagramDestinationFilter`, one such send (a 400 aimed at a hostile Via) closed the listener for good.
    @Test func unsendableDestinationsDoNotCloseTheListener() async throws {
        let recorder = TransportEventRecorder()
        let transport = try await startLoopbackTransport([.udp], handler: recorder)
        let listener = transport.listeners[0]
        for host in ["255.255.255.255", "192.0.2.53", "224.0.0.1", "::1"] {
            transport.send(Array(sampleRequest().utf8), to: try SocketAddress(ipAddress: host, port: 5060), via: listener.id)
        }
        #expect(await eventually { transport.counters.sendFailures == 4 })
        let client = try TestUDPClient()
        client.send(sampleRequest(tag: 9), toPort: try #require(listener.localAddress.port))
        #expect(await eventually { recorder.messages.count == 1 })
        await transport.shutdown()
    }

    /// A UDP socket that NIO closed (it does so on a send error it does not tolerate: ENETUNREACH, EPERM from a
    /// firewall...) is bound again at the same address and port, and the listener keeps receiving and answering
    /// from it. Closing the channel by hand stands in for the fatal send error.
    @Test func aClosedUDPSocketIsReopenedAtTheSamePort() async throws {
        let recorder = TransportEventRecorder { message, transport in
            transport.send(Array("SIP/2.0 200 OK\r\n\r\n".utf8), to: message.source, via: message.local)
        }
        let transport = try await startLoopbackTransport([.udp], handler: recorder)
        let port = try #require(transport.listeners[0].localAddress.port)
        let original = try #require(transport.state.withLockedValue { $0.sockets[0].datagramChannels.first })
        try await original.close()
        #expect(await eventually { transport.counters.datagramListenerReopens == 1 })
        let client = try TestUDPClient()
        client.send(sampleRequest(tag: 7), toPort: port)
        #expect(await eventually { recorder.messages.count == 1 })
        #expect(try #require(client.receive()).fromPort == port)
        await transport.shutdown()
        #expect(transport.counters.datagramListenerReopens == 1)  // the shutdown's own close is not reopened
    }

    @Test func reusePortSocketsShareTheListenerPort() async throws {
        let recorder = TransportEventRecorder { message, transport in
            transport.send(Array("SIP/2.0 200 OK\r\n\r\n".utf8), to: message.source, via: message.local)
        }
        let transport = try await startLoopbackTransport([.udp], handler: recorder) { $0.udpSocketsPerListener = 2 }
        let port = try #require(transport.listeners[0].localAddress.port)
        for _ in 0..<4 {
            let client = try TestUDPClient()
            client.send(sampleRequest(), toPort: port)
            #expect(try #require(client.receive()).fromPort == port)
        }
        await transport.shutdown()
    }

    @Test func keepalivesAndOversizeDatagramsAreDropped() async throws {
        let recorder = TransportEventRecorder()
        let transport = try await startLoopbackTransport([.udp], handler: recorder) { $0.udpMaxDatagramSize = 1000 }
        let port = try #require(transport.listeners[0].localAddress.port)
        let client = try TestUDPClient()

        client.send("\r\n\r\n", toPort: port)
        client.send([0, 0, 0, 0], toPort: port)
        client.send(sampleRequest(body: String(repeating: "a", count: 1200)), toPort: port)  // > 1000 bytes
        client.send(sampleRequest(body: String(repeating: "b", count: 500)), toPort: port)

        #expect(await eventually { recorder.messages.count == 1 })
        #expect(await eventually { transport.counters.oversizeDrops == 1 })
        let counters = transport.counters
        #expect(counters.datagramKeepalivesIn == 2)
        #expect(counters.datagramsIn == 1)
        #expect(recorder.messages.first?.byteArray.count == sampleRequest(body: String(repeating: "b", count: 500)).utf8.count)
        await transport.shutdown()
    }

    @Test func burstOfTenThousandDatagramsArrives() async throws {
        let counter = TransportMessageCounter()
        let transport = try await startLoopbackTransport([.udp], handler: counter) { $0.udpVectorReadMessageCount = 64 }
        let port = try #require(transport.listeners[0].localAddress.port)
        let client = try TestUDPClient()
        let datagram = Array(sampleRequest(method: "REGISTER").utf8)
        let total = 10_000
        let window = 2_000  // never more than this many unread: the loopback socket buffer may be small (rmem_max)
        let clock = ContinuousClock()
        let started = clock.now
        var sent = 0
        while sent < total {
            let burst = min(500, total - sent)
            for _ in 0..<burst { client.send(datagram, toPort: port) }
            sent += burst
            #expect(await eventually(timeout: .seconds(5)) { counter.received >= sent - window })
        }
        #expect(await eventually(timeout: .seconds(10)) { counter.received == total })
        let elapsed = clock.now - started
        #expect(elapsed < .seconds(10))
        #expect(transport.counters.datagramsIn == UInt64(total))
        await transport.shutdown()
    }

    @Test func sendsFailAfterShutdownAndUnknownSocketsAreRejected() async throws {
        let transport = try await startLoopbackTransport([.udp], handler: TransportEventRecorder())
        let client = try TestUDPClient()
        await #expect(throws: SIPTransportError.unknownLocalSocket(LocalSocketID(index: 5))) {
            try await transport.send(ByteBuffer(bytes: [1]), to: try client.socketAddress(), via: LocalSocketID(index: 5))
        }
        await transport.shutdown()
        await #expect(throws: SIPTransportError.shuttingDown) {
            try await transport.send(ByteBuffer(bytes: [1]), to: try client.socketAddress(), via: LocalSocketID(index: 0))
        }
        #expect(transport.counters.sendFailures == 2)
    }
}

@Suite("TransportStream", .timeLimit(.minutes(1)))
struct TransportStreamTests {
    @Test func asyncStreamAdapterDeliversInOrder() async throws {
        let stream = InboundSIPStream(bufferLimit: 100)
        let transport = try await startLoopbackTransport([.udp], handler: stream)
        let port = try #require(transport.listeners[0].localAddress.port)
        let client = try TestUDPClient()
        for tag in 1...3 { client.send(sampleRequest(tag: tag), toPort: port) }

        var tags: [Int] = []
        for await event in stream.events {
            guard case .message(let message) = event else { continue }
            #expect(message.local == transport.listeners[0].id)
            tags.append(tags.count + 1)
            #expect(message.byteArray == Array(sampleRequest(tag: tags.count).utf8))
            if tags.count == 3 { break }
        }
        #expect(tags == [1, 2, 3])
        #expect(stream.dropped == 0)
        await transport.shutdown()
        stream.finish()
    }
}
