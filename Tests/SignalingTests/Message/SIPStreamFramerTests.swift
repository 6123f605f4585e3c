import Testing
@testable import Signaling

@Suite struct SIPStreamFramerTests {
    static let message = Array(("INVITE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/TCP h.example.com;branch=z9hG4bK1\r\n"
        + "Call-ID: c\r\nContent-Length: 5\r\n\r\nhello").utf8)

    static func drain(_ framer: inout SIPStreamFramer) throws -> [SIPStreamFramer.Event] {
        var events: [SIPStreamFramer.Event] = []
        while let event = try framer.next() { events.append(event) }
        return events
    }

    static func summary(_ events: [SIPStreamFramer.Event]) -> [String] {
        events.map {
            switch $0 {
            case .message(let m): return "msg:\(m.bytes.count)"
            case .keepalive(let k): return "\(k)"
            }
        }
    }

    @Test func framesByContentLengthAcrossEverySplit() throws {
        let stream = Array("\r\n\r\n".utf8) + Self.message + Self.message + Array("\r\n".utf8) + Self.message
        for chunk in [1, 2, 3, 7, 64, stream.count] {
            var framer = SIPStreamFramer()
            var events: [SIPStreamFramer.Event] = []
            var offset = 0
            while offset < stream.count {
                let end = min(stream.count, offset + chunk)
                framer.feed(stream[offset..<end])
                offset = end
                events += try Self.drain(&framer)
            }
            let n = Self.message.count
            let expected = ["ping", "msg:\(n)", "msg:\(n)", "pong", "msg:\(n)"]
            // A one-byte feed of a lone trailing CRLF may be seen before more bytes arrive; either way
            // the messages come out whole and in order.
            #expect(Self.summary(events).filter { $0.hasPrefix("msg") } == expected.filter { $0.hasPrefix("msg") }, "chunk \(chunk)")
            if chunk >= 4 { #expect(Self.summary(events) == expected, "chunk \(chunk)") }
            #expect(framer.bufferedByteCount == 0)
            for case .message(let m) in events { #expect(Array(m.body) == Array("hello".utf8)) }
        }
    }

    @Test func missingContentLengthIsAnError() {
        var framer = SIPStreamFramer()
        framer.feed(Array("OPTIONS sip:a@example.com SIP/2.0\r\nCall-ID: x\r\n\r\n".utf8))
        let error = parseError { () throws(SIPParseError) in try framer.next() }
        #expect(error?.kind == .missingContentLength)
        #expect(error?.offset == 47)  // the empty line that ends the headers
    }

    @Test func enforcesMaxMessageSize() {
        var framer = SIPStreamFramer(limits: SIPLimits(maxMessageSize: 128))
        framer.feed(Array(("OPTIONS sip:a@example.com SIP/2.0\r\nX-Pad: " + String(repeating: "a", count: 200)).utf8))
        #expect(errorKind { () throws(SIPParseError) in try framer.next() } == .messageTooLarge)
        var big = SIPStreamFramer(limits: SIPLimits(maxMessageSize: 128))
        big.feed(Array("OPTIONS sip:a@example.com SIP/2.0\r\nContent-Length: 500\r\n\r\n".utf8))
        #expect(errorKind { () throws(SIPParseError) in try big.next() } == .messageTooLarge)
    }

    @Test func waitsForTheBody() throws {
        var framer = SIPStreamFramer()
        framer.feed(Self.message.dropLast(2))
        #expect(try framer.next() == nil)
        framer.feed(Self.message.suffix(2))
        #expect(Self.summary(try Self.drain(&framer)) == ["msg:\(Self.message.count)"])
    }
}
