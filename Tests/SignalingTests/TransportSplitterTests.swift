import Signaling
import Testing

@Suite("TransportSplitter")
struct TransportSplitterTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Feeds `stream` one prefix at a time, consuming frames as a connection handler would; returns the frames.
    private func frames(
        of stream: [UInt8],
        chunk: Int,
        maxMessageSize: Int = 65_535
    ) throws(SIPStreamFramingError) -> [SIPStreamSplitter.Frame] {
        var splitter = SIPStreamSplitter(maxMessageSize: maxMessageSize)
        var buffer: [UInt8] = []
        var result: [SIPStreamSplitter.Frame] = []
        var offset = 0
        while offset < stream.count {
            let end = min(offset + chunk, stream.count)
            buffer += stream[offset..<end]
            offset = end
            while let frame = try splitter.nextFrame(in: buffer) {
                result.append(frame)
                buffer.removeFirst(frame.byteCount)
            }
        }
        return result
    }

    @Test func messageWithBodyIsOneFrame() throws {
        let message = bytes(sampleRequest(method: "MESSAGE", body: "hello, world"))
        var splitter = SIPStreamSplitter(maxMessageSize: 4096)
        #expect(try splitter.nextFrame(in: message) == .message(length: message.count))
    }

    @Test func everySplitPointYieldsTheSameMessages() throws {
        let stream = bytes(sampleRequest(body: "v=0\r\n", tag: 1) + sampleRequest(tag: 2) + sampleRequest(body: "x", tag: 3))
        let expected: [SIPStreamSplitter.Frame] = [
            .message(length: sampleRequest(body: "v=0\r\n", tag: 1).utf8.count),
            .message(length: sampleRequest(tag: 2).utf8.count),
            .message(length: sampleRequest(body: "x", tag: 3).utf8.count),
        ]
        for chunk in [1, 2, 3, 7, 64, stream.count] {
            #expect(try frames(of: stream, chunk: chunk) == expected, "chunk \(chunk)")
        }
    }

    @Test func compactAndMixedCaseContentLength() throws {
        for header in ["l: 3", "L:3", "CONTENT-LENGTH : 3", "content-length:\t3  "] {
            let message = bytes("ACK sip:a@b SIP/2.0\r\nVia: x\r\n\(header)\r\n\r\nabc")
            var splitter = SIPStreamSplitter(maxMessageSize: 4096)
            #expect(try splitter.nextFrame(in: message) == .message(length: message.count), "\(header)")
        }
    }

    @Test func headerNamesThatOnlyResembleContentLengthAreIgnored() throws {
        let message = bytes("ACK sip:a@b SIP/2.0\r\nX-Content-Length: 99\r\nLength: 7\r\nl: 0\r\n\r\n")
        var splitter = SIPStreamSplitter(maxMessageSize: 4096)
        #expect(try splitter.nextFrame(in: message) == .message(length: message.count))
    }

    @Test func missingContentLengthIsAnError() {
        var splitter = SIPStreamSplitter(maxMessageSize: 4096)
        #expect(throws: SIPStreamFramingError(.missingContentLength, at: 0)) {
            try splitter.nextFrame(in: self.bytes("OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n"))
        }
    }

    @Test func invalidOrConflictingContentLengthIsAnError() {
        for headers in ["Content-Length: 1x", "Content-Length: ", "l: -1", "l: 1\r\nl: 2"] {
            var splitter = SIPStreamSplitter(maxMessageSize: 4096)
            #expect(throws: SIPStreamFramingError.self, "\(headers)") {
                try splitter.nextFrame(in: self.bytes("OPTIONS sip:a@b SIP/2.0\r\n\(headers)\r\n\r\n"))
            }
            do {
                _ = try splitter.nextFrame(in: self.bytes("OPTIONS sip:a@b SIP/2.0\r\n\(headers)\r\n\r\n"))
            } catch {
                #expect(error.kind == .invalidContentLength)
            }
        }
    }

    @Test func oversizeBodyAndOversizeHeadersAreErrors() {
        var splitter = SIPStreamSplitter(maxMessageSize: 100)
        #expect(throws: SIPStreamFramingError.self) {
            try splitter.nextFrame(in: self.bytes("INVITE sip:a@b SIP/2.0\r\nl: 5000\r\n\r\n"))
        }
        var huge = SIPStreamSplitter(maxMessageSize: 100)
        let endless = bytes("INVITE sip:a@b SIP/2.0\r\n" + String(repeating: "X-Pad: 0123456789\r\n", count: 10))
        do {
            _ = try huge.nextFrame(in: endless)
            Issue.record("an unterminated header block beyond the maximum must fail")
        } catch {
            #expect(error.kind == .messageTooLarge)
        }
        var overflow = SIPStreamSplitter(maxMessageSize: Int.max)
        do {
            _ = try overflow.nextFrame(in: self.bytes("INVITE sip:a@b SIP/2.0\r\nl: 99999999999999999999999\r\n\r\n"))
            Issue.record("a Content-Length that overflows must fail")
        } catch {
            #expect(error.kind == .messageTooLarge)
        }
    }

    @Test func keepalives() throws {
        var splitter = SIPStreamSplitter(maxMessageSize: 4096)
        #expect(try splitter.nextFrame(in: bytes("\r\n\r\n")) == .ping)
        #expect(try splitter.nextFrame(in: bytes("\r\nOPTIONS")) == .pong)
        // A lone CRLF may be half a ping: wait, unless a pong is expected.
        #expect(try splitter.nextFrame(in: bytes("\r\n")) == nil)
        #expect(try splitter.nextFrame(in: bytes("\r\n"), pongExpected: true) == .pong)
        #expect(try splitter.nextFrame(in: bytes("\r\n\r")) == nil)
        #expect(try splitter.nextFrame(in: bytes("\r")) == nil)
    }

    @Test func pingBetweenMessagesAndLeadingCRLF() throws {
        let first = sampleRequest(tag: 1)
        let second = sampleRequest(tag: 2)
        let stream = bytes(first + "\r\n\r\n" + "\r\n" + second)
        let expected: [SIPStreamSplitter.Frame] = [
            .message(length: first.utf8.count), .ping, .pong, .message(length: second.utf8.count),
        ]
        for chunk in [1, 5, stream.count] {
            #expect(try frames(of: stream, chunk: chunk) == expected, "chunk \(chunk)")
        }
    }

    @Test func partialBodyWaits() throws {
        let message = bytes(sampleRequest(body: "0123456789"))
        var splitter = SIPStreamSplitter(maxMessageSize: 4096)
        #expect(try splitter.nextFrame(in: Array(message.dropLast(3))) == nil)
        #expect(try splitter.nextFrame(in: message) == .message(length: message.count))
    }
}
