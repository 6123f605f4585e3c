import Testing
@testable import Relay

/// The bencode replies written straight from their parts (`BencodeWriter`, `NGReplyExtra`, `NGQueryReply.write`)
/// against the tree they replaced (`NGReply` + `NGQueryReply.dictionary` + `BencodeEncoder`): byte for byte the
/// same, and decoding to the same value.
@Suite struct NGReplyWriterTests {
    static let now = SessionTime.seconds(1_800_000_000)

    /// Two media sections (one muxed), so replies carry several monologues, medias and streams.
    static let twoMediaSDP = "v=0\r\no=- 1 1 IN IP4 10.1.1.1\r\ns=-\r\nc=IN IP4 10.1.1.1\r\nt=0 0\r\n"
        + "m=audio 4000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"
        + "m=video 4002 RTP/AVP 96\r\na=rtcp-mux\r\na=recvonly\r\n"

    static func answerSDP(port: Int) -> String {
        "v=0\r\no=- 2 1 IN IP4 10.2.2.2\r\ns=-\r\nc=IN IP4 10.2.2.2\r\nt=0 0\r\n"
            + "m=audio \(port) RTP/AVP 0\r\nm=video \(port + 2) RTP/AVP 96\r\na=rtcp-mux\r\na=sendonly\r\n"
    }

    /// Runs `request` through `process` and returns (the writer's reply, the tree's reply).
    static func replies(_ handler: NGCommandHandler<NullMediaPlaneExecutor>, _ request: NGDictionary,
                        encoding: NGEncoding = .bencode, at second: Int64 = 0) -> (direct: [UInt8], tree: [UInt8]) {
        let cookie = Array("cookie-1".utf8)
        let exchange = handler.process(request, at: now.adding(seconds: second))
        let direct = handler.encodeReply(exchange, cookie: cookie, encoding: encoding)
        let tree = NGReply(dictionary: handler.replyDictionary(exchange, extra: handler.pendingExtra.dictionary))
            .encoded(cookie: cookie, encoding: encoding)
        handler.pendingExtra = .none
        return (direct, tree)
    }

    static func expectSame(_ pair: (direct: [UInt8], tree: [UInt8])) throws {
        #expect(pair.direct == pair.tree)
        let direct = try NGMessage(decoding: pair.direct)
        let tree = try NGMessage(decoding: pair.tree)
        #expect(direct == tree)
    }

    @Test func everyReplyOfACallMatchesTheTree() throws {
        let handler = ControlHandlerTests.handler(portMin: 30000, portMax: 30099)
        try Self.expectSame(Self.replies(handler, [
            "command": .text("offer"), "call-id": .text("c1"), "from-tag": .text("A"), "via-branch": .text("z9"),
            "sdp": .text(Self.twoMediaSDP), "rtcp-mux": .list([.text("demux")]),
        ]))
        try Self.expectSame(Self.replies(handler, [
            "command": .text("answer"), "call-id": .text("c1"), "from-tag": .text("A"), "to-tag": .text("B"),
            "sdp": .text(Self.answerSDP(port: 5000)),
        ], at: 1))
        // A second fork answers: the first To-tag becomes an alias.
        try Self.expectSame(Self.replies(handler, [
            "command": .text("answer"), "call-id": .text("c1"), "from-tag": .text("A"), "to-tag": .text("B2"),
            "sdp": .text(Self.answerSDP(port: 5010)),
        ], at: 2))
        for tags in [[:], ["from-tag": "A"], ["from-tag": "A", "to-tag": "B2"], ["to-tag": "nobody"]] as [[String: String]] {
            var query: NGDictionary = ["command": .text("query"), "call-id": .text("c1")]
            for (key, value) in tags.sorted(by: { $0.key < $1.key }) { query.append(key, .text(value)) }
            try Self.expectSame(Self.replies(handler, query, at: 3))
        }
        // JSON keeps the tree path.
        try Self.expectSame(Self.replies(handler, ["command": .text("query"), "call-id": .text("c1")],
                                         encoding: .json, at: 3))
        try Self.expectSame(Self.replies(handler, [
            "command": .text("delete"), "call-id": .text("c1"), "from-tag": .text("A"),
        ], at: 4))
    }

    @Test func errorsWarningsPongAndListMatchTheTree() throws {
        let handler = ControlHandlerTests.handler()
        try Self.expectSame(Self.replies(handler, ["command": .text("ping")]))
        try Self.expectSame(Self.replies(handler, ["command": .text("delete"), "call-id": .text("none")]))
        try Self.expectSame(Self.replies(handler, [
            "command": .text("delete"), "call-id": .text("none"), "flags": .list([.text("fatal")]),
        ]))
        try Self.expectSame(Self.replies(handler, ["command": .text("offer"), "call-id": .text("x")]))
        try Self.expectSame(Self.replies(handler, [
            "command": .text("offer"), "call-id": .text("c2"), "from-tag": .text("A"), "sdp": .text(Self.twoMediaSDP),
        ]))
        try Self.expectSame(Self.replies(handler, ["command": .text("list")]))
        try Self.expectSame(Self.replies(handler, ["command": .text("statistics")]))
    }

    @Test func writerMatchesTheEncoderForEveryValueKind() {
        let value: NGValue = .dict([
            "text": .text("héllo"), "empty": .string([]), "zero": .int(0), "negative": .int(-12),
            "max": .int(.max), "min": .int(.min), "list": .list([.int(7), .text("x"), .list([])]),
            "nested": .dict(["a": .dict([:])]),
        ])
        var writer = BencodeWriter()
        writer.value(value)
        #expect(writer.bytes == BencodeEncoder.encode(value))
        var literal = BencodeWriter()
        literal.beginDictionary()
        literal.key("n", int: -3)
        literal.key("s", text: "héllo")
        literal.key("l", literal: "ok")
        literal.literal("bytes")
        literal.string([0, 255])
        literal.end()
        #expect(literal.bytes == BencodeEncoder.encode(.dict([
            "n": .int(-3), "s": .text("héllo"), "l": .text("ok"), "bytes": .string([0, 255]),
        ])))
    }
}
