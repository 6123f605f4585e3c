import Testing
@testable import Signaling

/// Every error kind the parser raises points at the offending byte.
@Suite struct SIPParseErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let text: String
        let kind: SIPParseError.Kind
        let offset: Int
        var testDescription: String { "\(kind)" }
    }

    static let cases: [Case] = [
        Case(text: "\r\n", kind: .badStartLine, offset: 0),
        Case(text: "INVITE sip:a@b SIP/2.0\n", kind: .badLineEnding, offset: 22),
        Case(text: "INV@TE sip:a@b SIP/2.0\r\n\r\n", kind: .badMethod, offset: 3),
        Case(text: "INVITE sip:a@b SIP/3.0\r\n\r\n", kind: .badVersion, offset: 15),
        Case(text: "INVITE sip:a@b HTTP/1.1\r\n\r\n", kind: .badVersion, offset: 15),
        Case(text: "INVITE <sip:a@b> SIP/2.0\r\n\r\n", kind: .badRequestURI, offset: 7),
        Case(text: "INVITE sip:a@b  SIP/2.0\r\n\r\n", kind: .badStartLine, offset: 14),
        Case(text: "SIP/2.0 20 OK\r\n\r\n", kind: .badStatusCode, offset: 8),
        Case(text: "SIP/2.0 700 Nope\r\n\r\n", kind: .badStatusCode, offset: 8),
        Case(text: "SIP/2.0 200 OK\r\n: x\r\n\r\n", kind: .badHeaderName, offset: 16),
        Case(text: "SIP/2.0 200 OK\r\nVia x\r\n\r\n", kind: .badHeaderName, offset: 20),
        Case(text: "SIP/2.0 200 OK\r\nVia: x\r\n", kind: .incompleteHeaders, offset: 24),
        Case(text: "SIP/2.0 200 OK\r\nVia: x\ry\r\n\r\n", kind: .badLineEnding, offset: 22),
        Case(text: "SIP/2.0 200 OK\r\nl: 1x\r\n\r\n", kind: .badContentLength, offset: 20),
        Case(text: "SIP/2.0 200 OK\r\nl: 10\r\n\r\nabc", kind: .contentLengthMismatch, offset: 28),
        Case(text: "SIP/2.0 200 OK\r\nl: 0\r\nContent-Length: 0\r\n\r\n", kind: .duplicateHeader(.contentLength), offset: 22),
    ]

    @Test(arguments: cases)
    func parseErrorsPointAtTheProblem(_ c: Case) {
        let error = parseError { () throws(SIPParseError) in try SIPMessage.parse(c.text) }
        #expect(error?.kind == c.kind)
        #expect(error?.offset == c.offset)
    }

    @Test func limits() {
        let long = "SIP/2.0 200 OK\r\nX: " + String(repeating: "a", count: 100) + "\r\n\r\n"
        let tight = SIPLimits(maxMessageSize: 1000, maxHeaderLineLength: 50, maxHeaderCount: 2)
        #expect(parseError { () throws(SIPParseError) in try SIPMessage.parse(long, limits: tight) }
            == SIPParseError(.headerTooLong, at: 16))
        let many = "SIP/2.0 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"
        #expect(parseError { () throws(SIPParseError) in try SIPMessage.parse(many, limits: tight) }
            == SIPParseError(.tooManyHeaders, at: 28))
        #expect(errorKind { () throws(SIPParseError) in
            try SIPMessage.parse(long, limits: SIPLimits(maxMessageSize: 10))
        } == .messageTooLarge)
    }

    @Test func valueErrorsPointIntoTheMessage() throws {
        let m = try SIPMessage.parse("OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;;\r\nCSeq: x OPTIONS\r\n"
            + "Max-Forwards: 256\r\nCall-ID: a b\r\nTo: <sip:a@example.com\r\nl: 0\r\n\r\n")
        #expect(parseError { () throws(SIPParseError) in try m.via } == SIPParseError(.badVia, at: 54))
        #expect(parseError { () throws(SIPParseError) in try m.cseq } == SIPParseError(.badCSeq, at: 63))
        #expect(parseError { () throws(SIPParseError) in try m.maxForwards } == SIPParseError(.badMaxForwards, at: 88))
        #expect(parseError { () throws(SIPParseError) in try m.callID } == SIPParseError(.badCallID, at: 103))
        #expect(parseError { () throws(SIPParseError) in try m.to } == SIPParseError(.badNameAddress, at: 111))
        #expect(parseError { () throws(SIPParseError) in try m.from } == SIPParseError(.missingHeader(.from), at: 137))
    }
}
