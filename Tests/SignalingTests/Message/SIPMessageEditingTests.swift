import Foundation
import Testing
@testable import Signaling

/// Byte-exact round trips, proxy edits and builders.
@Suite struct SIPMessageEditingTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "dat", subdirectory: "Fixtures"))
        return [UInt8](try Data(contentsOf: url))
    }

    /// After an edit, the message must index exactly as a fresh parse of its bytes does.
    static func expectConsistent(_ m: SIPMessage, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let fresh = try SIPMessage.parse(m.bytes)
        #expect(fresh.headerIndex == m.headerIndex, sourceLocation: sourceLocation)
        #expect(fresh.requestURIRange == m.requestURIRange, sourceLocation: sourceLocation)
        #expect(fresh.bodyRange == m.bodyRange && fresh.contentLength == m.contentLength, sourceLocation: sourceLocation)
    }

    @Test(arguments: ["invite-sdp", "register", "ok200"])
    func roundTripIsByteExact(_ name: String) throws {
        let bytes = try Self.fixture(name)
        let m = try SIPMessage.parse(bytes)
        try m.validate()
        #expect(m.bytes == bytes)
        _ = try m.via; _ = try m.from; _ = try m.contacts  // reading changes nothing
        #expect(m.bytes == bytes)
    }

    @Test func proxyForwardingEdits() throws {
        var m = try SIPMessage.parse(try Self.fixture("invite-sdp"))
        let original = m.bytes
        try m.setTopViaReceived("203.0.113.9", rport: 40000)
        #expect(try m.topVia?.received == "203.0.113.9" && m.topVia?.rport == .value(40000))
        try m.pushVia(SIPVia(transport: "UDP", host: SIPHost(kind: .domain, text: "proxy.example.net"),
                             parameters: [SIPParameter(name: "branch", value: "z9hG4bKp1")]))
        try m.addRecordRoute(SIPNameAddress(uri: try SIPURI("sip:proxy.example.net;lr")))
        try m.setMaxForwards(try #require(try m.maxForwards) - 1)
        try m.setRequestURI(try SIPURI("sip:bob@192.0.2.55:5080"))
        try Self.expectConsistent(m)
        let vias = try m.via
        #expect(vias.count == 2 && vias[0].branch == "z9hG4bKp1" && vias[1].received == "203.0.113.9")
        #expect(try m.recordRoutes.first?.uri.host?.text == "proxy.example.net")
        #expect(try m.maxForwards == 69)
        #expect(m.requestURIText == "sip:bob@192.0.2.55:5080")
        #expect(Array(m.body) == Array(try SIPMessage.parse(original).body))
        // Untouched lines are still byte-identical.
        let text = String(decoding: m.bytes, as: UTF8.self)
        #expect(text.contains("From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"))
        #expect(text.contains("Content-Type: application/sdp\r\n"))
        // And the response path pops our Via again.
        let popped = m.popVia()
        #expect(popped)
        #expect(try m.topVia?.received == "203.0.113.9")
        try Self.expectConsistent(m)
    }

    @Test func popViaFromCombinedLine() throws {
        var m = try SIPMessage.parse("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a.example.com;branch=z9hG4bK1 , SIP/2.0/UDP b.example.com;branch=z9hG4bK2\r\nVia: SIP/2.0/UDP c.example.com\r\nl: 0\r\n\r\n")
        var popped = m.popVia()
        #expect(popped)
        #expect(try m.via.map(\.host.text) == ["b.example.com", "c.example.com"])
        try Self.expectConsistent(m)
        popped = m.popVia() && m.popVia()
        #expect(popped)
        popped = m.popVia()
        #expect(!popped)
        #expect(m.headerIndex.map(\.kind) == [.contentLength])
        try Self.expectConsistent(m)
    }

    @Test func headerInsertRemoveReplace() throws {
        var m = try SIPMessage.parse(try Self.fixture("register"))
        try m.insertHeader(name: "X-Test", value: "one", at: 0)
        try m.appendHeader(name: "X-Test", value: "two")
        #expect(m.values(named: "x-test") == ["one", "two"])
        try m.replaceHeaderValue(at: 0, with: "uno")
        #expect(m.values(named: "X-TEST") == ["uno", "two"])
        m.removeHeaders(.userAgent)
        #expect(m.headerCount(.userAgent) == 0)
        try m.setHeader(.expires, value: "60")
        #expect(try m.expires == 60)
        m.removeHeader(at: 0)
        #expect(m.values(named: "X-Test") == ["two"])
        try Self.expectConsistent(m)
        #expect(errorKind { () throws(SIPParseError) in try m.appendHeader(name: "X-Evil", value: "a\r\nVia: x") } == .badLineEnding)
        #expect(errorKind { () throws(SIPParseError) in try m.appendHeader(name: "Bad Name", value: "a") } == .badHeaderName)
    }

    @Test func replaceBodyFixesContentLength() throws {
        var m = try SIPMessage.parse(try Self.fixture("invite-sdp"))
        try m.setBody(Array("v=0\r\n".utf8))
        #expect(m.contentLength == 5 && m.body.count == 5)
        try Self.expectConsistent(m)
        var r = try SIPMessage.parse("OPTIONS sip:a@example.com SIP/2.0\r\nCall-ID: x\r\n\r\n")
        try r.setBody(Array("hello".utf8), contentType: "text/plain")
        #expect(try SIPMessage.parse(r.bytes).contentType?.matches("text", "plain") == true)
        #expect(r.contentLength == 5)
        try Self.expectConsistent(r)
    }

    @Test func responseBuilderFollowsRFC3261() throws {
        let request = try SIPMessage.parse(try Self.fixture("invite-sdp"))
        let ringing = try SIPMessage.response(to: request, status: 180, reason: "Ringing", toTag: "a6c85cf")
        try ringing.validate()
        #expect(ringing.statusCode == 180 && ringing.reasonPhrase == "Ringing")
        #expect(try ringing.to.tag == "a6c85cf" && ringing.from.tag == request.from.tag)
        #expect(try ringing.callID == request.callID && ringing.cseq == request.cseq)
        #expect(try ringing.via == request.via)
        #expect(ringing.contentLength == 0 && ringing.headerCount(.contact) == 0)
        let trying = try SIPMessage.response(to: request, status: 100, reason: "Trying", toTag: "zz")
        #expect(try trying.to.tag == nil)  // 100 must not carry a To tag it invents
        let built = try SIPMessage.request(method: .options, uri: try SIPURI("sip:b@example.com"), headers: [
            ("Via", "SIP/2.0/UDP h.example.com;branch=z9hG4bKx"), ("From", "<sip:a@example.com>;tag=1"),
            ("To", "<sip:b@example.com>"), ("Call-ID", "c1"), ("CSeq", "1 OPTIONS"), ("Max-Forwards", "70"),
        ])
        try built.validate()
        #expect(built.contentLength == 0)
    }
}
