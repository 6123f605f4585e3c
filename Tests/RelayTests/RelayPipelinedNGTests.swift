import Testing
import Glibc
@testable import Relay

/// ng requests pipelined without waiting: the control thread handles them in batches and parks replies until the
/// workers acknowledge, so every request still gets exactly its reply, duplicates still allocate nothing, and
/// media sent right after an answer's reply is forwarded.
@Suite struct RelayPipelinedNGTests {
    @Test(arguments: RelayMediaTests.engines) func pipelinedOffersAllGetTheirReply(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine, ports: 200)
        let count = 32
        for index in 0..<count {
            let request: NGDictionary = ["command": .text("offer"), "call-id": .text("pipe-\(index)"),
                                         "from-tag": .text("f"), "sdp": .text(RelaySDP.audio(port: 4000))]
            relay.ng.send(NGMessage(cookie: Array("p\(index)".utf8), encoding: .bencode, dictionary: request).encoded(),
                          to: relay.ngEndpoint)
        }
        var cookies = Set<String>()
        var ports = Set<UInt16>()
        for reply in relay.ng.receive(count: count, timeoutMs: 5000) {
            let message = try NGMessage(decoding: reply.payload)
            cookies.insert(String(decoding: message.cookie, as: UTF8.self))
            #expect(message.dictionary["result"]?.stringValue == "ok")
            if let port = RelaySDP.endpoint(in: message.dictionary)?.port { ports.insert(port) }
        }
        #expect(cookies.count == count)
        #expect(ports.count == count)
    }

    @Test(arguments: RelayMediaTests.engines) func duplicateInFlightWaitsForTheFirstReply(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine)
        let request: NGDictionary = ["command": .text("offer"), "call-id": .text("dup-in-flight"),
                                     "from-tag": .text("f"), "sdp": .text(RelaySDP.audio(port: 4000))]
        let bytes = NGMessage(cookie: Array("dup".utf8), encoding: .bencode, dictionary: request).encoded()
        relay.ng.send(bytes, to: relay.ngEndpoint)
        relay.ng.send(bytes, to: relay.ngEndpoint)
        relay.ng.send(bytes, to: relay.ngEndpoint)
        let replies = relay.ng.receive(count: 3, timeoutMs: 3000)
        #expect(replies.count == 3)
        #expect(Set(replies.map(\.payload)).count == 1)
        let statistics = try relay.request(["command": .text("statistics")])
        #expect(statistics.value("currentstatistics", "sessionsown")?.integerValue == 1)
        #expect(statistics["ng duplicates"]?.integerValue == 2)
    }

    @Test(arguments: RelayMediaTests.engines) func mediaRightAfterTheAnswerReplyIsForwarded(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine)
        let alice = try DataPlaneTestClient("127.0.0.1")
        let bob = try DataPlaneTestClient("127.0.0.1")
        let offer = try relay.offer(callID: "fast", fromTag: "a", sdp: RelaySDP.audio(port: alice.endpoint.port))
        let answer = try relay.answer(callID: "fast", fromTag: "a", toTag: "b",
                                      sdp: RelaySDP.audio(port: bob.endpoint.port))
        // The offer's SDP goes to Bob (he sends there), the answer's to Alice.
        let bobSendsTo = try #require(RelaySDP.endpoint(in: offer))
        let aliceSendsTo = try #require(RelaySDP.endpoint(in: answer))
        // No pause: the answer's reply left only after the workers had applied the forwarding.
        alice.send(DataPlaneHarness.payload(1, 0), to: aliceSendsTo)
        #expect(bob.receive(timeoutMs: 2000) != nil)
        bob.send(DataPlaneHarness.payload(2, 0), to: bobSendsTo)
        #expect(alice.receive(timeoutMs: 2000) != nil)
    }
}

/// The parking table on its own.
@Suite struct NGPendingRepliesTests {
    static func datagram(_ port: UInt16) -> NGUDPListener.Datagram {
        NGUDPListener.Datagram(bytes: [1, 2, 3], source: sockaddr_storage(), sourceLength: 0, socket: Int32(port))
    }

    @Test func readyWhenTicketsAppliedOrDeadlinePassed() {
        var pending = NGPendingReplies(timeoutMilliseconds: 100)
        let ticket = CommandTicket(worker: 0, position: 5)
        pending.park([9], cookie: [1], for: NGPendingRepliesTests.datagram(1), tickets: [ticket], now: 1000)
        pending.park([8], cookie: [2], for: NGPendingRepliesTests.datagram(2), tickets: [ticket], now: 1050)
        let joined = pending.join(cookie: [1], request: NGPendingRepliesTests.datagram(3))
        let joinedNothing = pending.join(cookie: [7], request: NGPendingRepliesTests.datagram(3))
        #expect(joined && !joinedNothing)
        let early = pending.takeReady(now: 1010) { _ in false }
        #expect(early.isEmpty)
        #expect(pending.millisecondsUntilDeadline(now: 1010) == 90)
        let late = pending.takeReady(now: 1100) { _ in false }
        #expect(late.map(\.cookie) == [[1]])
        #expect(late.first?.recipients.map(\.socket) == [1, 3])
        #expect(late.first?.recipients.allSatisfy { $0.bytes.isEmpty } == true)
        let applied = pending.takeReady(now: 1101) { $0.position == 5 }
        #expect(applied.map(\.reply) == [[8]])
        #expect(pending.isEmpty)
    }
}
