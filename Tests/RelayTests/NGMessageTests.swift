import Testing
@testable import Relay

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
private func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }

@Suite struct NGMessageTests {
    @Test func bencodePingAndPong() throws {
        let m = try NGMessage(decoding: bytes("5323_1 d7:command4:pinge"))
        #expect(m.cookie == bytes("5323_1") && m.encoding == .bencode)
        #expect(try NGCommand(m.dictionary) == .ping)
        #expect(text(NGReply.pong.encoded(cookie: m.cookie, encoding: m.encoding)) == "5323_1 d6:result4:ponge")
    }

    @Test func jsonPingAndPong() throws {
        let m = try NGMessage(decoding: bytes(#"abc {"command":"ping"}"#))
        #expect(m.encoding == .json)
        #expect(try NGCommand(m.dictionary) == .ping)
        #expect(text(NGReply.pong.encoded(cookie: m.cookie, encoding: m.encoding)) == #"abc {"result":"pong"}"#)
    }

    @Test func messageRoundTrip() throws {
        let wire = bytes("c0 d7:command5:query7:call-id3:abc8:from-tag1:xe")
        let m = try NGMessage(decoding: wire)
        #expect(m.encoded() == wire)
        let json = NGMessage(cookie: m.cookie, encoding: .json, dictionary: m.dictionary).encoded()
        #expect(text(json) == #"c0 {"command":"query","call-id":"abc","from-tag":"x"}"#)
        #expect(try NGMessage(decoding: json).dictionary == m.dictionary)
    }

    @Test(arguments: [
        ("", NGDecodeError.Kind.empty, 0),
        ("cookie", .missingCookie, 6),
        (" d7:command4:pinge", .missingCookie, 0),
        ("c ", .missingPayload, 2),
        ("c x", .unknownFormat, 2),
        ("c  d7:command4:pinge", .unknownFormat, 2),
        ("c l4:pinge", .unknownFormat, 2),
        ("c d7:command4:ping", .unexpectedEnd, 18),
        ("c {\"command\":}", .unexpectedByte, 13),
        ("c {} junk", .trailingData, 5),
    ])
    func framingErrors(input: String, kind: NGDecodeError.Kind, offset: Int) {
        #expect(throws: NGDecodeError(kind, at: offset)) { try NGMessage(decoding: bytes(input)) }
    }

    @Test func messageLimits() {
        let long = [UInt8](repeating: UInt8(ascii: "c"), count: 300) + bytes(" de")
        #expect(throws: NGDecodeError(.cookieTooLong, at: 256)) { try NGMessage(decoding: long) }
        var limits = NGLimits()
        limits.maxMessageBytes = 10
        #expect(throws: NGDecodeError(.tooLarge, at: 10)) { try NGMessage(decoding: bytes("c d7:command4:pinge"), limits: limits) }
    }

    @Test func errorReplyForUndecodablePayloadUsesSendersForm() throws {
        let wire = bytes(#"k9 {"command": oops}"#)
        var caught: NGDecodeError?
        do { _ = try NGMessage(decoding: wire) } catch { caught = error }
        let error = try #require(caught)
        let cookie = try #require(NGMessage.cookie(of: wire))
        let encoding = NGMessage.probableEncoding(of: wire)
        let reply = NGReply.error(error, encoding: encoding).encoded(cookie: cookie, encoding: encoding)
        #expect(text(reply) == #"k9 {"result":"error","error-reason":"Failed to parse JSON document"}"#)
        #expect(NGMessage.cookie(of: bytes("nospace")) == nil)
        #expect(NGDecodeError(.unexpectedEnd, at: 3).reason(for: .bencode) == "Could not decode bencode dictionary")
        #expect(NGDecodeError(.unknownFormat, at: 3).reason(for: .bencode) == "Invalid NG data format")
    }

    @Test func replies() {
        let ok = NGReply.ok(["sdp": .text("v=0\r\n")])
        #expect(text(ok.encoded(cookie: bytes("1"), encoding: .bencode)) == "1 d6:result2:ok3:sdp5:v=0\r\ne")
        #expect(text(ok.encoded(cookie: bytes("1"), encoding: .json)) == #"1 {"result":"ok","sdp":"v=0\r\n"}"#)
        let err = NGReply.error(NGCommandError.missingCallID)
        #expect(text(err.encoded(cookie: bytes("2"), encoding: .bencode))
                == "2 d6:result5:error12:error-reason21:No call-id in messagee")
        let warn = NGReply.warning("Call-ID not found or tags didn't match")
        #expect(warn.dictionary["result"] == .text("ok"))
        #expect(warn.dictionary["warning"] == .text("Call-ID not found or tags didn't match"))
    }
}
