import Testing
@testable import Signaling

/// Header indexing, compact forms, folding, comma lists and URIs, outside the RFC 4475 set.
@Suite struct SIPMessageParsingTests {
    static let register = """
        REGISTER sip:registrar.example.com SIP/2.0\r
        Via: SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bKnashds7;rport\r
        Max-Forwards: 70\r
        To: Bob <sip:bob@example.com>\r
        From: Bob <sip:bob@example.com>;tag=456248\r
        Call-ID: 843817637684230@998sdasdh09\r
        CSeq: 1826 REGISTER\r
        Contact: <sip:bob@192.0.2.4>;expires=3600, "Desk" <sip:bob@[2001:db8::10]:5070;transport=tcp>;q=0.5\r
        Expires: 7200\r
        Content-Length: 0\r
        \r

        """

    @Test func indexesWithoutDecoding() throws {
        let m = try SIPMessage.parse(Self.register)
        #expect(m.isRequest && m.method == .register)
        #expect(m.headerIndex.map(\.kind) == [.via, .maxForwards, .to, .from, .callID, .cseq, .contact, .expires, .contentLength])
        let via = m.headerIndex[0]
        #expect(m.name(of: via) == "Via")
        #expect(m.value(of: via) == "SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bKnashds7;rport")
    }

    @Test func typedAccessors() throws {
        let m = try SIPMessage.parse(Self.register)
        let top = try #require(try m.topVia)
        #expect(top.transport == "UDP" && top.host == SIPHost(kind: .ipv4, text: "192.0.2.4") && top.port == 5060)
        #expect(top.rport == .requested && top.hasRFC3261Branch)
        #expect(try m.cseq == SIPCSeq(sequence: 1826, method: .register))
        #expect(try m.callID == "843817637684230@998sdasdh09")
        #expect(try m.from.tag == "456248" && m.from.displayName == "Bob")
        #expect(try m.to.tag == nil)
        #expect(try m.maxForwards == 70 && m.expires == 7200 && m.contentLength == 0)
        let contacts = try m.contacts.addresses
        #expect(contacts.count == 2)
        #expect(contacts[0].parameters.first(named: "expires")?.value == "3600")
        #expect(contacts[1].displayName == "Desk")
        #expect(contacts[1].uri.host == SIPHost(kind: .ipv6, text: "[2001:db8::10]"))
        #expect(contacts[1].uri.host?.address == "2001:db8::10")
        #expect(contacts[1].uri.port == 5070 && contacts[1].uri.transport == "tcp")
        #expect(contacts[1].parameters == [SIPParameter(name: "q", value: "0.5")])
    }

    @Test func compactForms() throws {
        let text = "INVITE sip:b@example.com SIP/2.0\r\nv: SIP/2.0/TCP h.example.com;branch=z9hG4bK1\r\n"
            + "f: <sip:a@example.com>;tag=1\r\nt: <sip:b@example.com>\r\ni: cid@h\r\n"
            + "m: <sip:a@h.example.com>\r\nk: timer\r\nc: application/sdp\r\ns: hi\r\ne: gzip\r\no: presence\r\n"
            + "u: dialog\r\nr: <sip:c@example.com>\r\nb: <sip:d@example.com>\r\nx: 1800\r\ny: abc\r\nn: <https://x>\r\n"
            + "a: *;audio\r\nj: *;video\r\nd: proxy\r\nl: 0\r\n\r\n"
        let m = try SIPMessage.parse(text)
        #expect(m.headerIndex.map(\.kind) == [.via, .from, .to, .callID, .contact, .supported, .contentType, .subject,
                                              .contentEncoding, .event, .allowEvents, .referTo, .referredBy, .sessionExpires,
                                              .identity, .identityInfo, .acceptContact, .rejectContact,
                                              .requestDisposition, .contentLength])
        #expect(try m.callID == "cid@h")
        #expect(m.values(named: "Session-Expires") == ["1800"])
        #expect(m.values(named: "x") == ["1800"])
        #expect(SIPHeaderKind.named("CALL-id") == .callID && SIPHeaderKind.named("I") == .callID)
        #expect(SIPHeaderKind.named("X-Custom") == .other)
    }

    @Test func foldedHeadersAndLWS() throws {
        let text = "OPTIONS sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP\r\n  h.example.com\r\n\t;branch=z9hG4bK1\r\n"
            + "From  :\r\n <sip:a@example.com>\r\n ;tag=77\r\nTo: <sip:b@example.com>\r\nCall-ID: x\r\n"
            + "CSeq: 5\r\n OPTIONS\r\nSubject:\r\nContent-Length: 0   \r\n\r\n"
        let m = try SIPMessage.parse(text)
        try m.validate()
        #expect(try m.topVia?.host.text == "h.example.com" && m.topVia?.branch == "z9hG4bK1")
        #expect(try m.from.tag == "77")
        #expect(try m.cseq == SIPCSeq(sequence: 5, method: .options))
        #expect(m.values(.subject) == [""])
        #expect(m.contentLength == 0)
    }

    @Test func commaListsRespectQuotesAndBrackets() throws {
        let text = "OPTIONS sip:b@example.com SIP/2.0\r\n"
            + "Contact: \"Smith, John\" <sip:j,k@a.example.com;x=1>, <sip:k@b.example.com>;q=0.1 , sip:l@c.example.com\r\n"
            + "Allow: INVITE,ACK , BYE\r\nAllow: CANCEL\r\nRoute: <sip:p1.example.com;lr>,<sip:p2.example.com;lr>\r\n"
            + "Content-Length: 0\r\n\r\n"
        let m = try SIPMessage.parse(text)
        let contacts = try m.contacts.addresses
        #expect(contacts.map(\.displayName) == ["Smith, John", nil, nil])
        #expect(contacts[0].uri.user == "j,k" && contacts[0].uri.parameters == [SIPParameter(name: "x", value: "1")])
        #expect(m.values(.allow) == ["INVITE", "ACK", "BYE", "CANCEL"])
        #expect(try m.routes.map { $0.uri.host?.text } == ["p1.example.com", "p2.example.com"])
    }

    @Test func wildcardContact() throws {
        let m = try SIPMessage.parse("REGISTER sip:r.example.com SIP/2.0\r\nContact: *\r\nExpires: 0\r\nl: 0\r\n\r\n")
        #expect(try m.contacts == .wildcard)
    }

    @Test func viaParameters() throws {
        let via = try SIPVia("SIP/2.0/UDP [2001:db8::1]:5062;branch=z9hG4bKa;rport=5070;received=198.51.100.7;maddr=224.0.1.75;ttl=16;foo")
        #expect(via.host.kind == .ipv6 && via.port == 5062)
        #expect(via.rport == .value(5070) && via.received == "198.51.100.7" && via.maddr == "224.0.1.75" && via.ttl == 16)
        #expect(via.parameters.last == SIPParameter(name: "foo"))
        #expect(try SIPVia("SIP/2.0/TLS host.example.com").rport == .absent)
        #expect(errorKind { () throws(SIPParseError) in try SIPVia("SIP/2.0 host") } == .badVia)
        #expect(errorKind { () throws(SIPParseError) in try SIPVia("SIP/2.0/UDP host:99999") } == .badVia)
    }

    @Test func uris() throws {
        let sips = try SIPURI("sips:alice:secret@atlanta.example.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent")
        #expect(sips.scheme == .sips && sips.user == "alice" && sips.password == "secret" && sips.port == 5061)
        #expect(sips.transport == "tcp" && sips.isLooseRouter)
        #expect(sips.headers == [SIPParameter(name: "subject", value: "project%20x"), SIPParameter(name: "priority", value: "urgent")])
        #expect(sips.description == "sips:alice:secret@atlanta.example.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent")
        let tel = try SIPURI("tel:+1-201-555-0123;phone-context=example.com")
        #expect(tel.scheme == .tel && tel.user == "+1-201-555-0123" && tel.parameter("phone-context")?.value == "example.com")
        let ipv4 = try SIPURI("sip:198.51.100.1")
        #expect(ipv4.host?.kind == .ipv4 && ipv4.user == nil)
        let mailto = try SIPURI("mailto:someone@example.com")
        #expect(mailto.scheme == .other("mailto") && mailto.opaque == "someone@example.com")
        for bad in ["sip:", "sip:user@", "sip:host:port", "sip:256.1.1.1", "sip:[::1", "sip:a%2", "sip:h;=x", "1sip:x", "sip:a b"] {
            #expect(errorKind { () throws(SIPParseError) in try SIPURI(bad) } == .badURI, "\(bad)")
        }
    }

    @Test func nameAddresses() throws {
        let a = try SIPNameAddress("\"A \\\"quoted\\\" name\" <sip:a@example.com>;tag=9")
        #expect(a.displayName == "A \"quoted\" name" && a.tag == "9")
        #expect(a.description == "\"A \\\"quoted\\\" name\" <sip:a@example.com>;tag=9")
        let b = try SIPNameAddress("Alice Smith <sip:a@example.com>")
        #expect(b.displayName == "Alice Smith")
        let c = try SIPNameAddress("sip:c@example.com;tag=x")
        #expect(c.uri.parameters.isEmpty && c.tag == "x" && !c.usesAngleBrackets)
        #expect(errorKind { () throws(SIPParseError) in try SIPNameAddress("<sip:a@example.com") } == .badNameAddress)
        #expect(errorKind { () throws(SIPParseError) in try SIPNameAddress("\"open <sip:a@example.com>") } == .badNameAddress)
    }

    @Test func datagramWithoutContentLengthTakesTheRest() throws {
        let m = try SIPMessage.parse("MESSAGE sip:b@example.com SIP/2.0\r\nCall-ID: x\r\n\r\nhello")
        #expect(m.contentLength == nil && Array(m.body) == Array("hello".utf8))
    }

    @Test func responseStartLine() throws {
        let m = try SIPMessage.parse("SIP/2.0 486 Busy Here\r\nl: 0\r\n\r\n")
        #expect(m.isResponse && m.statusCode == 486 && m.reasonPhrase == "Busy Here" && m.method == nil)
        #expect(try m.requestURI == nil)
    }
}
