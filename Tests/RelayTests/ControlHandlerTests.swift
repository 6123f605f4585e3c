import Testing
@testable import Relay

/// The ng command path without sockets: handler + sessions + a null executor.
@Suite struct ControlHandlerTests {
    static func handler(portMin: UInt16 = 30000, portMax: UInt16 = 30019) -> NGCommandHandler<NullMediaPlaneExecutor> {
        let interface = RelayInterface(name: "default", address: .v4(0x7F00_0001), portMin: portMin, portMax: portMax)
        return NGCommandHandler(sessions: SessionTable(configuration: SessionConfiguration(interfaces: [interface]),
                                                       startOffsets: [0]),
                                executor: NullMediaPlaneExecutor())
    }

    static func offer(_ cookie: String, callID: String = "c1") -> [UInt8] {
        NGMessage(cookie: Array(cookie.utf8), encoding: .bencode, dictionary: [
            "command": .text("offer"), "call-id": .text(callID), "from-tag": .text("f"),
            "sdp": .text(RelaySDP.audio(port: 4000)),
        ]).encoded()
    }

    static let now = SessionTime.seconds(1_800_000_000)

    @Test func duplicateCookieAllocatesOnce() throws {
        let handler = ControlHandlerTests.handler()
        let first = handler.handle(ControlHandlerTests.offer("k1"), at: ControlHandlerTests.now)
        let opened = handler.executor.opened
        let second = handler.handle(ControlHandlerTests.offer("k1"), at: ControlHandlerTests.now.adding(seconds: 1))
        #expect(second.duplicate)
        #expect(first.reply == second.reply)
        #expect(handler.executor.opened == opened)
        // After the cookie expired, the same request is a re-offer: it keeps its ports (no new sockets).
        let third = handler.handle(ControlHandlerTests.offer("k1"), at: ControlHandlerTests.now.adding(seconds: 31))
        #expect(!third.duplicate)
        #expect(handler.executor.opened == opened)
    }

    @Test func unbindablePortMovesBeforeReplying() throws {
        let handler = ControlHandlerTests.handler()
        handler.executor.unbindable = [30000]
        let exchange = handler.handle(ControlHandlerTests.offer("k2"), at: ControlHandlerTests.now)
        let reply = try NGMessage(decoding: exchange.reply ?? []).dictionary
        #expect(reply["result"]?.stringValue == "ok")
        let sdp = RelaySDP.text(reply)
        #expect(!sdp.contains("m=audio 30000 "))
        #expect(handler.counters.unbindablePorts == 1)
        #expect(!handler.executor.openSockets.contains { $0.port == 30000 })
        #expect(handler.sessions.statistics().ports.first?.unbindable == 1)
    }

    @Test func cookieCacheIsBounded() {
        var cache = CookieCache(capacity: 3, lifetimeSeconds: 30)
        for index in 0..<10 { cache.store([UInt8(index)], for: [UInt8(index)], at: ControlHandlerTests.now) }
        #expect(cache.count == 3)
        #expect(cache.reply(for: [9], at: ControlHandlerTests.now) == [9])
        #expect(cache.reply(for: [0], at: ControlHandlerTests.now) == nil)
        #expect(cache.reply(for: [9], at: ControlHandlerTests.now.adding(seconds: 30)) == nil)
    }

    @Test func iceRemoveAndOriginReplace() throws {
        let handler = ControlHandlerTests.handler()
        let sdp = "v=0\r\no=- 1 1 IN IP4 10.1.1.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\nm=audio 4000 RTP/AVP 0\r\n"
            + "c=IN IP4 10.1.1.1\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n"
            + "a=candidate:1 1 UDP 2130706431 10.1.1.1 4000 typ host\r\na=rtcp-mux\r\n"
        let request = NGMessage(cookie: Array("k3".utf8), encoding: .json, dictionary: [
            "command": .text("offer"), "call-id": .text("ice"), "from-tag": .text("f"), "sdp": .text(sdp),
            "ICE": .text("remove"), "replace": .list([.text("origin")]),
        ]).encoded()
        let exchange = handler.handle(request, at: ControlHandlerTests.now)
        let reply = try NGMessage(decoding: exchange.reply ?? []).dictionary
        let text = RelaySDP.text(reply)
        #expect(!text.contains("ice") && !text.contains("candidate"))
        #expect(text.contains("o=- 1 1 IN IP4 127.0.0.1\r\n"))
        #expect(text.contains("c=IN IP4 127.0.0.1\r\n"))
        #expect(text.contains("a=rtcp-mux\r\n"))
    }

    @Test func sipSourceAddressReplacesTheSDPAddress() throws {
        let handler = ControlHandlerTests.handler()
        let request = NGMessage(cookie: Array("k4".utf8), encoding: .bencode, dictionary: [
            "command": .text("offer"), "call-id": .text("nat"), "from-tag": .text("f"),
            "sdp": .text(RelaySDP.audio(port: 4000, address: "192.168.1.20")),
            "flags": .list([.text("SIP source address")]),
            "received from": .list([.text("IP4"), .text("203.0.113.9")]),
        ]).encoded()
        _ = handler.handle(request, at: ControlHandlerTests.now)
        let snapshot = try handler.sessions.query(callID: "nat")
        let advertised = snapshot.monologues.first { $0.tag == "f" }?.medias.first?.streams.first?.advertisedEndpoint
        #expect(advertised?.description == "203.0.113.9:4000")
    }
}
