import Testing
@testable import Signaling

/// RFC 4475 requests that neither the parser nor the lenient indexer accept still get their 400 (505 for
/// `badvers`), built from the raw Via/From/To/Call-ID/CSeq lines; the wire test (`EdgeRFC4475WireTests`) sees them
/// answered, not just dropped.
@Suite struct SIPRawErrorResponseTests {
    static let answered = ["badinv01", "scalar02", "quotbal", "ltgtruri", "lwsruri", "lwsstart", "trws", "badaspec",
                           "baddn", "badvers", "multi01"]

    @Test(arguments: answered)
    func brokenRequestsGetAParseableErrorResponse(name: String) throws {
        let bytes = try RFC4475Fixtures.bytes(name)
        let raw = try #require(SIPRawErrorResponse.build(bytes), "\(name): no response")
        let response = try SIPMessage.parse(raw)
        #expect(response.statusCode == (name == "badvers" ? 505 : 400), "\(name)")
        if name != "badinv01" { #expect(try response.topVia != nil) }  // badinv01's Via is the broken part, copied as is
        let text = String(decoding: raw, as: UTF8.self)
        #expect(text.contains("\r\nCall-ID: ") && text.contains("\r\nCSeq: ") && text.hasSuffix("Content-Length: 0\r\n\r\n"))
    }

    @Test func responsesAcksAndRequestsWithoutTheCopiedHeadersAreNotAnswered() throws {
        #expect(SIPRawErrorResponse.build(try RFC4475Fixtures.bytes("insuf")) == nil)  // no Call-ID, From or To
        let ack = "ACK <sip:bob@example.com> SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa\r\nFrom: <sip:a@x>;tag=1\r\n"
            + "To: <sip:b@x>\r\nCall-ID: c1\r\nCSeq: 1 ACK\r\n\r\n"
        #expect(SIPRawErrorResponse.build(Array(ack.utf8)) == nil)
        let response = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa\r\nFrom: <sip:a@x>;tag=1\r\n"
            + "To: <sip:b@x>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n\r\n"
        #expect(SIPRawErrorResponse.build(Array(response.utf8)) == nil)
        #expect(SIPRawErrorResponse.build([]) == nil)
        #expect(SIPRawErrorResponse.build(Array("\r\n\r\n".utf8)) == nil)
    }

    @Test func foldedLinesAndBareLineFeedsAreRead() throws {
        let request = "OPTIONS <sip:x> SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1\n ;branch=z9hG4bKb\nf: <sip:a@x>;tag=1\n"
            + "t: <sip:b@x>\ni: c2\nCSeq: 7 OPTIONS\n\n"
        let raw = try #require(SIPRawErrorResponse.build(Array(request.utf8)))
        let response = try SIPMessage.parse(raw)
        #expect(response.statusCode == 400)
        #expect(try response.topVia?.branch == "z9hG4bKb")
        #expect(try response.callID == "c2")
    }
}
