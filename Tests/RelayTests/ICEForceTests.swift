import Testing
@testable import Relay

/// `ICE=force`: the sender's ICE attributes go, the relay's own credentials and host candidates come in.
@Suite struct ICEForceTests {
    static let offerSDP = "v=0\r\no=- 1 1 IN IP4 10.1.1.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
        + "c=IN IP4 10.1.1.1\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n"
        + "a=candidate:1 1 UDP 2130706431 10.1.1.1 4000 typ host\r\n"
        + "a=candidate:1 2 UDP 2130706430 10.1.1.1 4001 typ host\r\na=sendrecv\r\n"

    static func request(_ cookie: String, command: String = "offer", sdp: String, ice: String = "force",
                        extra: NGDictionary = [:]) -> [UInt8] {
        var dictionary: NGDictionary = [
            "command": .text(command), "call-id": .text("ice-call"), "from-tag": .text("alice"),
            "sdp": .text(sdp), "ICE": .text(ice),
        ]
        dictionary.append(contentsOf: extra)
        return NGMessage(cookie: Array(cookie.utf8), encoding: .bencode, dictionary: dictionary).encoded()
    }

    static func lines(_ text: String, _ prefix: String) -> [String] {
        text.split(separator: "\r\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }

    @Test func forceReplacesCandidatesWithTheRelays() throws {
        let handler = ControlHandlerTests.handler()
        let exchange = handler.handle(ICEForceTests.request("i1", sdp: ICEForceTests.offerSDP),
                                      at: ControlHandlerTests.now)
        let text = RelaySDP.text(try NGMessage(decoding: exchange.reply ?? []).dictionary)
        #expect(!text.contains("abcd") && !text.contains("10.1.1.1 4000"))
        let media = try #require(text.firstRange(of: "m=audio"))
        let session = String(text[..<media.lowerBound])
        #expect(session.contains("a=ice-lite\r\n"))
        let ufrag = try #require(ICEForceTests.lines(text, "a=ice-ufrag:").first)
        let pwd = try #require(ICEForceTests.lines(text, "a=ice-pwd:").first)
        #expect(ufrag.count == "a=ice-ufrag:".count + 8)
        #expect(pwd.count == "a=ice-pwd:".count + 24)
        let candidates = ICEForceTests.lines(text, "a=candidate:")
        #expect(candidates.count == 2)
        let port = try #require(ICEForceTests.lines(text, "m=audio ").first?.split(separator: " ")[1])
        #expect(candidates.first?.hasSuffix(" 1 UDP 2130706431 127.0.0.1 \(port) typ host") == true)
        #expect(candidates.last?.hasSuffix(" 2 UDP 2130706430 127.0.0.1 \(Int(port)! + 1) typ host") == true)
        #expect(text.contains("a=end-of-candidates\r\n"))
        #expect(text.contains("a=sendrecv\r\n"))
    }

    @Test func reofferKeepsCredentialsAndOtherPartyGetsItsOwn() throws {
        let handler = ControlHandlerTests.handler()
        let first = RelaySDP.text(try NGMessage(decoding: handler.handle(
            ICEForceTests.request("i2", sdp: ICEForceTests.offerSDP), at: ControlHandlerTests.now).reply ?? []).dictionary)
        let again = RelaySDP.text(try NGMessage(decoding: handler.handle(
            ICEForceTests.request("i3", sdp: ICEForceTests.offerSDP), at: ControlHandlerTests.now).reply ?? []).dictionary)
        #expect(ICEForceTests.lines(first, "a=ice-ufrag:") == ICEForceTests.lines(again, "a=ice-ufrag:"))
        #expect(ICEForceTests.lines(first, "a=ice-pwd:") == ICEForceTests.lines(again, "a=ice-pwd:"))
        let answerSDP = ICEForceTests.offerSDP.replacing("10.1.1.1", with: "10.2.2.2")
        let answer = RelaySDP.text(try NGMessage(decoding: handler.handle(
            ICEForceTests.request("i4", command: "answer", sdp: answerSDP, extra: ["to-tag": .text("bob")]),
            at: ControlHandlerTests.now).reply ?? []).dictionary)
        #expect(ICEForceTests.lines(answer, "a=ice-ufrag:").count == 1)
        #expect(ICEForceTests.lines(answer, "a=ice-ufrag:") != ICEForceTests.lines(first, "a=ice-ufrag:"))
    }

    @Test func rtcpMuxGivesOneComponent() throws {
        let handler = ControlHandlerTests.handler()
        let sdp = ICEForceTests.offerSDP.replacing("a=sendrecv\r\n", with: "a=rtcp-mux\r\n")
        let exchange = handler.handle(ICEForceTests.request("i5", sdp: sdp, extra: [
            "rtcp-mux": .list([.text("require")]),
        ]), at: ControlHandlerTests.now)
        let text = RelaySDP.text(try NGMessage(decoding: exchange.reply ?? []).dictionary)
        let candidates = ICEForceTests.lines(text, "a=candidate:")
        #expect(candidates.count == 1)
        #expect(candidates.first?.contains(" 1 UDP ") == true)
    }

    @Test func removeAddsNothing() throws {
        let handler = ControlHandlerTests.handler()
        let exchange = handler.handle(ICEForceTests.request("i6", sdp: ICEForceTests.offerSDP, ice: "remove"),
                                      at: ControlHandlerTests.now)
        let text = RelaySDP.text(try NGMessage(decoding: exchange.reply ?? []).dictionary)
        #expect(!text.contains("ice") && !text.contains("candidate"))
    }

    @Test func credentialsAreICECharsAndDeterministicPerKey() {
        let source = ICECredentialSource(key: (1, 2))
        let a = source.credentials(callID: "c", tag: "t")
        #expect(a == source.credentials(callID: "c", tag: "t"))
        #expect(a != source.credentials(callID: "c", tag: "u"))
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        #expect((a.ufrag + a.password).allSatisfy { allowed.contains($0) })
    }
}
