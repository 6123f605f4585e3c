import NIOCore
@testable import Signaling
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The keepalive twin at the transport level: it shares the listener's port, the kernel steers to it only datagrams
/// that carry the marker, and it is bound again, in the right order, when the listener's socket is reopened.
@Suite("TransportKeepaliveTwin", .serialized, .timeLimit(.minutes(1)))
struct TransportKeepaliveTwinTests {
    static let marker = Array("kaT3stmk".utf8)

    /// A response carrying the marker reaches the twin; a request, a response without it, and a request that
    /// carries it (only responses are steered) reach the listener's pipeline.
    @Test func onlyResponsesCarryingTheMarkerReachTheTwin() async throws {
        let recorder = TransportEventRecorder()
        let transport = try await Self.startWithTwins(recorder)
        let port = try #require(transport.listeners[0].localAddress.port)
        let twin = try #require(transport.keepaliveTwin(0))
        let client = try TestUDPClient()
        client.send(sampleRequest(tag: 1), toPort: port)
        client.send("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKother\r\n\r\n", toPort: port)
        client.send("OPTIONS sip:x SIP/2.0\r\nCall-ID: kaT3stmk-0000000000000001\r\n\r\n", toPort: port)
        client.send("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKkaT3stmk0000000000000001\r\n\r\n",
                    toPort: port)
        #expect(await eventually { recorder.messages.count == 3 })
        #expect(await eventually { twin.receive() == 1 })
        let (bytes, _, receivedAt) = twin.datagram(0)
        #expect(String(decoding: try #require(bytes), as: UTF8.self).contains("z9hG4bKkaT3stmk"))
        #expect(receivedAt > 0)
        #expect(recorder.messages.allSatisfy { !$0.byteArray.starts(with: Array("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060".utf8)) })
        await transport.shutdown()
        #expect(!twin.isOpen)
    }

    /// Pings sent through the twin leave from the listener's own port (the pinhole's), in one call.
    @Test func twinSendsLeaveFromTheListenersPort() async throws {
        let transport = try await Self.startWithTwins(TransportEventRecorder())
        let port = try #require(transport.listeners[0].localAddress.port)
        let twin = try #require(transport.keepaliveTwin(0))
        let client = try TestUDPClient()
        let bytes = Array("OPTIONS sip:a SIP/2.0\r\n\r\nOPTIONS sip:b SIP/2.0\r\n\r\n".utf8)
        let target = try client.socketAddress()
        twin.reserveSend(2)
        target.withSockAddr { twin.setDatagram(0, range: 0..<25, target: $0, targetLength: $1) }
        target.withSockAddr { twin.setDatagram(1, range: 25..<50, target: $0, targetLength: $1) }
        #expect(bytes.withUnsafeBytes { twin.send(bytes: $0, from: 0, count: 2) } == 2)
        for expected in ["OPTIONS sip:a", "OPTIONS sip:b"] {
            let datagram = try #require(client.receive())
            #expect(datagram.fromPort == port)
            #expect(String(decoding: datagram.bytes, as: UTF8.self).hasPrefix(expected))
        }
        await transport.shutdown()
    }

    /// When NIO closes the listener's socket (a fatal send error) and it is bound again, the twin is rebound after
    /// it, so the steering still gives the listener everything but marked responses.
    @Test func aReopenedListenerGetsAFreshTwinBehindIt() async throws {
        let recorder = TransportEventRecorder()
        let transport = try await Self.startWithTwins(recorder)
        let port = try #require(transport.listeners[0].localAddress.port)
        let first = try #require(transport.keepaliveTwin(0))
        let original = try #require(transport.state.withLockedValue { $0.sockets[0].datagramChannels.first })
        try await original.close()
        #expect(await eventually { transport.counters.datagramListenerReopens == 1 })
        #expect(!first.isOpen)
        let twin = try #require(transport.keepaliveTwin(0))
        #expect(twin !== first)
        let client = try TestUDPClient()
        for tag in 1...4 { client.send(sampleRequest(tag: tag), toPort: port) }
        client.send("SIP/2.0 200 OK\r\nCall-ID: kaT3stmk-0000000000000002\r\n\r\n", toPort: port)
        #expect(await eventually { recorder.messages.count == 4 })
        #expect(await eventually { twin.receive() == 1 })
        await transport.shutdown()
    }

    /// An IPv6 listener gets its twin too, and the same steering (the program sees the UDP payload either way).
    @Test func anIPv6ListenerHasATwinThatTakesMarkedResponses() async throws {
        let recorder = TransportEventRecorder()
        let transport: SIPTransport
        do {
            transport = try await startLoopbackTransport([], handler: recorder) {
                $0.listeners = [SIPListenerConfiguration(host: "::1", port: 0, transport: .udp)]
                $0.keepaliveTwinMarker = Self.marker
            }
        } catch {
            return  // no IPv6 loopback on this machine
        }
        let port = try #require(transport.listeners[0].localAddress.port)
        let twin = try #require(transport.keepaliveTwin(0))
        Self.sendIPv6(sampleRequest(tag: 3), toPort: port)
        Self.sendIPv6("SIP/2.0 404 Not Found\r\nCall-ID: kaT3stmk-0000000000000003\r\n\r\n", toPort: port)
        #expect(await eventually { recorder.messages.count == 1 })
        #expect(await eventually { twin.receive() == 1 })
        #expect(twin.datagram(0).source.pointee.ss_family == sa_family_t(AF_INET6))
        await transport.shutdown()
    }

    /// One UDP listener on 127.0.0.1 with a keepalive twin steered on `marker`.
    static func startWithTwins(_ recorder: TransportEventRecorder) async throws -> SIPTransport {
        try await startLoopbackTransport([.udp], handler: recorder) { $0.keepaliveTwinMarker = Self.marker }
    }

    static func sendIPv6(_ text: String, toPort port: Int) {
        let fd = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = in_port_t(UInt16(port).bigEndian)
        address.sin6_addr = in6addr_loopback
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
    }

    /// Several sockets per listener spread clients by the kernel's hash, which a steering program would replace:
    /// no twin then.
    @Test func noTwinBesideSeveralSocketsPerListener() async throws {
        let transport = try await startLoopbackTransport([.udp], handler: TransportEventRecorder()) {
            $0.keepaliveTwinMarker = Self.marker
            $0.udpSocketsPerListener = 2
        }
        #expect(transport.keepaliveTwin(0) == nil)
        await transport.shutdown()
    }
}
