import Testing
@testable import Signaling

/// RFC 4475 §3.1.2 (invalid messages), §3.2 (transaction layer), §3.3 (application layer) and §3.4
/// (backward compatibility). Each case states what the codec does and why that matches the RFC:
/// either `SIPMessage.parse` rejects it (framing-level problems), or parsing succeeds lazily and
/// `validate()` / the relevant accessor rejects it with a specific kind, or it is accepted and the
/// RFC's point is checked on the decoded fields.
@Suite struct RFC4475InvalidMessageTests {
    enum Expectation: Sendable {
        /// `SIPMessage.parse` throws this kind.
        case parseFails(SIPParseError.Kind)
        /// Parsing succeeds; `validate()` throws this kind.
        case validateFails(SIPParseError.Kind)
        /// Parsing and validation succeed; the closure checks what the RFC says a receiver does.
        case accepted(@Sendable (SIPMessage) throws -> Void)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let expectation: Expectation
        /// Whether a proxy can still answer statelessly (the RFC asks for a 400 / 505 / ... response).
        let canAnswer: Bool?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // §3.1.2.1 Extraneous Header Field Separators: empty Via params (";;,;,,"); respond 400.
        Case(name: "badinv01", expectation: .validateFails(.badVia), canAnswer: false),
        // §3.1.2.2 Content Length Larger Than Message: over UDP, reject (400).
        Case(name: "clerr", expectation: .parseFails(.contentLengthMismatch), canAnswer: true),
        // §3.1.2.3 Negative Content-Length: 400.
        Case(name: "ncl", expectation: .parseFails(.badContentLength), canAnswer: true),
        // §3.1.2.4 Request Scalar Fields with Overlarge Values: CSeq overflow makes it a 400
        // (Max-Forwards 300 and the huge Expires are also reported by their accessors).
        Case(name: "scalar02", expectation: .validateFails(.badCSeq), canAnswer: false),
        // §3.1.2.5 Response Scalar Fields with Overlarge Values: drop the response.
        Case(name: "scalarlg", expectation: .validateFails(.badCSeq), canAnswer: false),
        // §3.1.2.6 Unterminated Quoted String in Display Name: 400.
        Case(name: "quotbal", expectation: .validateFails(.badNameAddress), canAnswer: false),
        // §3.1.2.7 <> Enclosing Request-URI: 400.
        Case(name: "ltgtruri", expectation: .parseFails(.badRequestURI), canAnswer: nil),
        // §3.1.2.8 Malformed SIP Request-URI (embedded LWS): 400.
        Case(name: "lwsruri", expectation: .parseFails(.badRequestURI), canAnswer: nil),
        // §3.1.2.9 Multiple SP Separating Request-Line Elements: 400.
        Case(name: "lwsstart", expectation: .parseFails(.badStartLine), canAnswer: nil),
        // §3.1.2.10 SP Characters at End of Request-Line: we take the "reject" option.
        Case(name: "trws", expectation: .parseFails(.badStartLine), canAnswer: nil),
        // §3.1.2.11 Escaped Headers in SIP Request-URI: headers are not allowed in a Request-URI.
        Case(name: "escruri", expectation: .validateFails(.badRequestURI), canAnswer: true),
        // §3.1.2.12 Invalid Time Zone in Date Header Field: the codec does not interpret Date, so the
        // message is processed as if Date were absent (one of the two behaviours the RFC allows).
        Case(name: "baddate", expectation: .accepted { (m: SIPMessage) throws(any Error) in
            #expect(m.values(.date) == ["Fri, 01 Jan 2010 16:00:00 EST"])
        }, canAnswer: true),
        // §3.1.2.13 Failure to Enclose name-addr URI in <>: a '?' in an addr-spec Contact: 400.
        Case(name: "regbadct", expectation: .validateFails(.badNameAddress), canAnswer: true),
        // §3.1.2.14 Spaces within addr-spec: 400.
        Case(name: "badaspec", expectation: .validateFails(.badNameAddress), canAnswer: false),
        // §3.1.2.15 Non-token Characters in Display Name: 400.
        Case(name: "baddn", expectation: .validateFails(.badNameAddress), canAnswer: false),
        // §3.1.2.16 Unknown Protocol Version: 505 (the caller maps `.badVersion` to 505).
        Case(name: "badvers", expectation: .parseFails(.badVersion), canAnswer: nil),
        // §3.1.2.17 Start Line and CSeq Method Mismatch: 400.
        Case(name: "mismatch01", expectation: .validateFails(.cseqMethodMismatch), canAnswer: true),
        // §3.1.2.18 Unknown Method with CSeq Method Mismatch: 400 (not 501).
        Case(name: "mismatch02", expectation: .validateFails(.cseqMethodMismatch), canAnswer: true),
        // §3.1.2.19 Overlarge Response Code: drop.
        Case(name: "bigcode", expectation: .parseFails(.badStatusCode), canAnswer: nil),
        // §3.2.1 Missing Transaction Identifier: the branch is only the magic cookie. Syntactically
        // valid; the transaction layer must not treat it as an RFC 3261 branch.
        Case(name: "badbranch", expectation: .accepted { (m: SIPMessage) throws(any Error) in
            let via = try #require(try m.topVia)
            #expect(via.branch == "z9hG4bK" && !via.hasRFC3261Branch)
        }, canAnswer: true),
        // §3.3.1 Missing Required Header Fields: 400; no To/From/Call-ID, so not even a stateless answer.
        Case(name: "insuf", expectation: .validateFails(.missingHeader(.to)), canAnswer: false),
        // §3.3.2 Request-URI with Unknown Scheme: parse; a proxy answers 416.
        Case(name: "unkscm", expectation: .accepted { (m: SIPMessage) throws(any Error) in
            let uri = try #require(try m.requestURI)
            #expect(uri.scheme == .other("nobodyKnowsThisScheme") && uri.opaque == "totallyopaquecontent")
        }, canAnswer: true),
        // §3.3.3 Request-URI with Known but Atypical Scheme.
        Case(name: "novelsc", expectation: .accepted { (m: SIPMessage) throws(any Error) in
            let uri = try #require(try m.requestURI)
            #expect(uri.scheme == .other("soap.beep") && uri.opaque == "//192.0.2.103:3002")
        }, canAnswer: true),
        // §3.3.4 Unknown URI Schemes in Header Fields: accepted as opaque absolute URIs.
        Case(name: "unksm2", expectation: .accepted { (m: SIPMessage) throws(any Error) in
            #expect(try m.to.uri.scheme == .other("isbn"))
            #expect(try m.from.uri == SIPURI(scheme: .other("http"), opaque: "//www.example.com"))
            #expect(try m.contacts.addresses.first?.uri.scheme == .other("name"))
        }, canAnswer: true),
        // §3.3.5 Proxy-Require and Require: the codec exposes the option tags (answer 420).
        Case(name: "bext01", expectation: .accepted { (m: SIPMessage) throws(any Error) in
            #expect(m.values(.require) == ["nothingSupportsThis", "nothingSupportsThisEither"])
            #expect(m.values(.proxyRequire) == ["noProxiesSupportThis", "norDoAnyProxiesSupportThis"])
            #expect(try m.topVia?.transport == "TLS")
        }, canAnswer: true),
        // §3.3.6 Unknown Content-Type (answer 415).
        Case(name: "invut", expectation: .accepted { (m: SIPMessage) throws(any Error) in
            #expect(try m.contentType == SIPMediaType(type: "application", subtype: "unknownformat"))
            #expect(m.body.count == 40)
        }, canAnswer: true),
        // §3.3.7 Unknown Authorization Scheme: value kept verbatim.
        Case(name: "regaut01", expectation: .accepted { (m: SIPMessage) throws(any Error) in
            #expect(m.values(.authorization) == ["NoOneKnowsThisScheme opaque-data=here"])
            #expect(m.contentLength == 0)
        }, canAnswer: true),
        // §3.3.8 Multiple Values in Single Value Required Fields: 400.
        Case(name: "multi01", expectation: .validateFails(.duplicateHeader(.cseq)), canAnswer: false),
        // §3.3.9 Multiple Content-Length Values: framing is ambiguous, reject at parse time.
        Case(name: "mcl01", expectation: .parseFails(.duplicateHeader(.contentLength)), canAnswer: true),
        // §3.3.10 200 OK Response with Broadcast Via Header Field Value.
        Case(name: "bcast", expectation: .accepted { (m: SIPMessage) throws(any Error) in
            let vias = try m.via
            #expect(vias.count == 2 && vias[1].host == SIPHost(kind: .ipv4, text: "255.255.255.255"))
        }, canAnswer: false),
        // §3.3.11 Max-Forwards of Zero: valid; an OPTIONS with Max-Forwards 0 is answered, not forwarded.
        Case(name: "zeromf", expectation: .accepted { (m: SIPMessage) throws(any Error) in
            #expect(try m.maxForwards == 0)
        }, canAnswer: true),
        // §3.3.12 REGISTER with a Contact Header Parameter (addr-spec form: the param is the header's).
        Case(name: "cparam01", expectation: .accepted { (m: SIPMessage) throws(any Error) in
            let contact = try #require(try m.contacts.addresses.first)
            #expect(contact.parameters == [SIPParameter(name: "unknownparam")] && contact.uri.parameters.isEmpty)
            #expect(contact.uri.user == "+19725552222")
        }, canAnswer: true),
        // §3.3.13 REGISTER with a URL Parameter (inside <>: the param is the URI's).
        Case(name: "cparam02", expectation: .accepted { (m: SIPMessage) throws(any Error) in
            let contact = try #require(try m.contacts.addresses.first)
            #expect(contact.uri.parameters == [SIPParameter(name: "unknownparam")] && contact.parameters.isEmpty)
        }, canAnswer: true),
        // §3.3.14 REGISTER with a URL Escaped Header (allowed inside <> in a Contact).
        Case(name: "regescrt", expectation: .accepted { (m: SIPMessage) throws(any Error) in
            let contact = try #require(try m.contacts.addresses.first)
            #expect(contact.uri.headers == [SIPParameter(name: "Route", value: "%3Csip:sip.example.com%3E")])
        }, canAnswer: true),
        // §3.3.15 Unacceptable Accept Offering: the codec exposes Accept (answer 406 / 415).
        Case(name: "sdp01", expectation: .accepted { (m: SIPMessage) throws(any Error) in
            #expect(m.values(.accept) == ["text/nobodyKnowsThis"])
        }, canAnswer: true),
        // §3.4.1 INVITE with RFC 2543 Syntax: no branch, no tags, no Content-Length over UDP.
        Case(name: "inv2543", expectation: .accepted { (m: SIPMessage) throws(any Error) in
            #expect(try m.topVia?.branch == nil)
            #expect(try m.from.tag == nil)
            #expect(m.contentLength == nil && !m.body.isEmpty)
            #expect(try m.recordRoutes.first?.uri.maddr == "ss1.example.com")
            // addr-spec form: ";user=phone" belongs to the header, not the URI (RFC 3261 §20.10).
            #expect(try m.to.parameters.first(named: "user")?.value == "phone" && m.to.uri.parameters.isEmpty)
        }, canAnswer: true),
    ]

    @Test(arguments: cases)
    func handledAsTheRFCSays(_ c: Case) throws {
        let bytes = try RFC4475Fixtures.bytes(c.name)
        switch c.expectation {
        case .parseFails(let kind):
            let error = try #require(parseError { () throws(SIPParseError) in try SIPMessage.parse(bytes) })
            #expect(error.kind == kind)
            #expect(error.offset >= 0 && error.offset <= bytes.count)
        case .validateFails(let kind):
            let message = try SIPMessage.parse(bytes)
            let error = try #require(parseError { () throws(SIPParseError) in try message.validate() })
            #expect(error.kind == kind)
            #expect(error.offset >= 0 && error.offset <= bytes.count)
            #expect(message.bytes == bytes)
        case .accepted(let check):
            let message = try SIPMessage.parse(bytes)
            try message.validate()
            try check(message)
            #expect(message.bytes == bytes)
        }
        if let canAnswer = c.canAnswer {
            let salvaged = SIPMessage.salvageForErrorResponse(bytes)
            #expect((salvaged != nil) == canAnswer)
            if let salvaged {
                let response = try SIPMessage.response(to: salvaged, status: 400, reason: "Bad Request", toTag: "t1")
                #expect(response.statusCode == 400)
                #expect(try response.callID == salvaged.callID)
            }
        }
    }

    @Test func coversEveryOtherMessage() {
        let names = Set(Self.cases.map(\.name))
        #expect(names == Set(RFC4475Fixtures.invalid + RFC4475Fixtures.transaction + RFC4475Fixtures.application
            + RFC4475Fixtures.backwardCompatibility))
    }

    /// scalar02's other overlarge fields, each rejected by its own accessor (RFC 4475 §3.1.2.4).
    @Test func scalar02OtherFields() throws {
        let m = try SIPMessage.parse(try RFC4475Fixtures.bytes("scalar02"))
        #expect(errorKind { () throws(SIPParseError) in try m.maxForwards } == .badMaxForwards)
        #expect(errorKind { () throws(SIPParseError) in try m.expires } == .badExpires)
        #expect(try m.contacts.addresses.first?.parameters.first(named: "expires")?.value == "280297596632815")
    }

    /// mismatch between what parse needs (framing) and what a proxy reads: multi01 still yields a top Via.
    @Test func multi01TopViaStillReadable() throws {
        let m = try SIPMessage.parse(try RFC4475Fixtures.bytes("multi01"))
        #expect(try m.topVia?.branch == "z9hG4bKkdjuw")
        #expect(errorKind { () throws(SIPParseError) in try m.callID } == .duplicateHeader(.callID))
    }
}
