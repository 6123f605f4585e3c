import Testing
@testable import Signaling

/// RFC 4475 §3.1.1: messages that are valid and must parse to what the RFC describes. Each case
/// checks the start line, header counts, and the specific trick the message is about.
@Suite struct RFC4475ValidMessageTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let check: @Sendable (SIPMessage) throws -> Void
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "wsinv") { (m: SIPMessage) throws(any Error) in
            // §3.1.1.1 A Short Tortuous INVITE: case-insensitive names, LWS everywhere, folds, escapes.
            #expect(m.method == .invite)
            #expect(m.requestURIText == "sip:vivekg@chair-dnrc.example.com;unknownparam")
            let ruri = try #require(try m.requestURI)
            #expect(ruri.user == "vivekg" && ruri.host?.text == "chair-dnrc.example.com")
            #expect(ruri.parameters == [SIPParameter(name: "unknownparam")])
            let to = try m.to
            #expect(to.uri.user == "vivekg" && to.tag == "1918181833n" && !to.usesAngleBrackets)
            let from = try m.from
            #expect(from.displayName == "J Rosenberg \\\"")
            #expect(from.tag == "98asjd8")
            #expect(try m.maxForwards == 68)
            #expect(try m.callID == "wsinv.ndaksdj@192.0.2.1")
            #expect(m.contentLength == 150 && m.body.count == 150)
            #expect(try m.cseq == SIPCSeq(sequence: 9, method: .invite))
            let vias = try m.via
            #expect(vias.count == 3)
            #expect(vias[0].transport == "UDP" && vias[0].host.text == "192.0.2.2" && vias[0].branch == "390skdjuw")
            #expect(vias[1].transport == "TCP" && vias[1].host.text == "spindle.example.com" && vias[1].branch == "z9hG4bK9ikj8")
            #expect(vias[2].host.text == "192.168.255.111" && vias[2].branch == "z9hG4bK30239")
            #expect(m.values(.subject) == [""])
            #expect(m.values(named: "NewFangledHeader") == ["newfangled value\r\n continued newfangled value"])
            #expect(m.values(named: "UnknownHeaderWithUnusualValue") == [";;,,;;,;"])
            #expect(try m.contentType?.matches("application", "sdp") == true)
            let route = try m.routes
            #expect(route.count == 1 && route[0].uri.isLooseRouter)
            #expect(route[0].uri.parameters.map(\.name) == ["lr", "unknownwith", "unknown-no-value"])
            let contact = try m.contacts.addresses
            #expect(contact.count == 1)
            #expect(contact[0].displayName == "Quoted string \"\"")
            #expect(contact[0].parameters == [SIPParameter(name: "newparam", value: "newvalue"),
                                              SIPParameter(name: "secondparam"), SIPParameter(name: "q", value: "0.33")])
        },
        Case(name: "intmeth") { (m: SIPMessage) throws(any Error) in
            // §3.1.1.2 Wide Range of Valid Characters: unusual method, URI user/password, NUL/BEL in quotes, UTF-8.
            #expect(m.method == .other("!interesting-Method0123456789_*+`.%indeed'~"))
            let ruri = try #require(try m.requestURI)
            #expect(ruri.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
            #expect(ruri.password == "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
            #expect(ruri.host?.text == "example.com")
            #expect(try m.topVia?.branch == "z9hG4bK-.!%66*_+`'~")
            let to = try m.to
            #expect(to.displayName == "BEL:\u{07} NUL:\u{00} DEL:\u{7F}")
            #expect(to.uri.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
            let from = try m.from
            #expect(from.displayName == "token1~` token2'+_ token3*%!.-")
            #expect(from.tag == "_token~1'+`*%!-.")
            #expect(from.parameters.first?.name == "fromParam''~+*_!.-%")
            #expect(from.parameters.first?.unquotedValue == "\u{0440}\u{0430}\u{0431}\u{043E}\u{0442}\u{0430}\u{044E}\u{0449}\u{0438}\u{0439}")
            #expect(try m.callID == "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{")
            #expect(try m.cseq.method == m.method)
            #expect(try m.maxForwards == 255)
            #expect(m.values(named: "extensionHeader-!.%*+_`'~") == ["\u{FEFF}\u{5927}\u{505C}\u{96FB}"])
        },
        Case(name: "esc01") { (m: SIPMessage) throws(any Error) in
            // §3.1.1.3 Valid Use of the % Escaping Mechanism.
            let ruri = try #require(try m.requestURI)
            #expect(ruri.user == "sips%3Auser%40example.com")
            #expect(ruri.decodedUser == Array("sips:user@example.com".utf8))
            #expect(try m.to.uri.decodedUser == Array("user".utf8))
            #expect(try m.from.uri.decodedUser == Array("I have spaces".utf8))
            #expect(try m.callID == "esc01.239409asdfakjkn23onasd0-3234")  // compact "i"
            #expect(try m.contentType?.matches("application", "sdp") == true)  // compact "C"
            let contact = try #require(try m.contacts.addresses.first)
            #expect(contact.uri.decodedUser == Array("caller".utf8))
            #expect(contact.uri.parameters == [SIPParameter(name: "%6C%72"), SIPParameter(name: "n%61me", value: "v%61lue%25%34%31")])
        },
        Case(name: "escnull") { (m: SIPMessage) throws(any Error) in
            // §3.1.1.4 Escaped Nulls in URIs.
            #expect(m.method == .register)
            #expect(try m.to.uri.decodedUser == [0x6E, 0x75, 0x6C, 0x6C, 0x2D, 0x00, 0x2D, 0x6E, 0x75, 0x6C, 0x6C])
            let contacts = try m.contacts.addresses
            #expect(contacts.count == 2)
            #expect(contacts[0].uri.decodedUser == [0])
            #expect(contacts[1].uri.decodedUser == [0, 0])
            #expect(m.contentLength == 0)  // "L:0"
        },
        Case(name: "esc02") { (m: SIPMessage) throws(any Error) in
            // §3.1.1.5 Use of % When It Is Not an Escape: method is not REGISTER; C%6Fntact is not Contact.
            #expect(m.method == .other("RE%47IST%45R"))
            #expect(try m.cseq.method == .other("RE%47IST%45R"))
            #expect(try m.to.displayName == "%Z%45")
            #expect(try m.topVia?.branch == "z9hG4bK209%fzsnel234")
            #expect(try m.contacts.addresses.count == 2)
            #expect(m.values(named: "C%6Fntact") == ["<sip:alias2@host2.example.com>"])
        },
        Case(name: "lwsdisp") { (m: SIPMessage) throws(any Error) in
            // §3.1.1.6 Message with No LWS between Display Name and <.
            #expect(try m.from.displayName == "caller")
            #expect(try m.from.tag == "323")
        },
        Case(name: "longreq") { (m: SIPMessage) throws(any Error) in
            // §3.1.1.7 Long Values in Header Fields.
            let to = try m.to
            #expect(to.displayName?.hasPrefix("I have a user name of extreme") == true)
            #expect(to.uri.port == 6000 && to.uri.parameters.count == 3)
            #expect(try m.from.tag?.hasPrefix("1298298") == true && m.from.tag?.hasSuffix("2424") == true)
            #expect(try m.via.count == 34)
            #expect(try m.callID.hasPrefix("longreq.onereallyreally"))
            #expect(m.body.count == m.contentLength)
        },
        Case(name: "dblreq") { (m: SIPMessage) throws(any Error) in
            // §3.1.1.8 Extra Trailing Octets in a UDP Datagram: only the REGISTER is the message.
            #expect(m.method == .register && m.contentLength == 0)
            #expect(m.body.isEmpty)
            #expect(try m.callID == "dblreq.0ha0isndaksdj99sdfafnl3lk233412")
            #expect(try m.contacts.addresses.first?.usesAngleBrackets == false)
        },
        Case(name: "semiuri") { (m: SIPMessage) throws(any Error) in
            // §3.1.1.9 Semicolon-Separated Parameters in URI User Part.
            let ruri = try #require(try m.requestURI)
            #expect(ruri.user == "user;par=u%40example.net" && ruri.host?.text == "example.com" && ruri.parameters.isEmpty)
            #expect(m.values(.accept) == ["application/sdp", "application/pkcs7-mime", "multipart/mixed",
                                          "multipart/signed", "message/sip", "message/sipfrag"])
        },
        Case(name: "transports") { (m: SIPMessage) throws(any Error) in
            // §3.1.1.10 Varied and Unknown Transport Types.
            #expect(try m.via.map(\.transport) == ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"])
            #expect(try m.callID == "transports.kijh4akdnaqjkwendsasfdj")
        },
        Case(name: "mpart01") { (m: SIPMessage) throws(any Error) in
            // §3.1.1.11 Multipart MIME Message with a binary part: the body is opaque bytes.
            #expect(m.method == .message && m.contentLength == 553 && m.body.count == 553)
            #expect(try m.contentType?.matches("multipart", "mixed") == true)
            #expect(try m.contentType?.parameters.first(named: "boundary")?.value == "7a9cbec02ceef655")
            #expect(try m.topVia?.rport == .requested)
        },
        Case(name: "unreason") { (m: SIPMessage) throws(any Error) in
            // §3.1.1.12 Unusual Reason Phrase (UTF-8).
            #expect(m.statusCode == 200)
            #expect(m.reasonPhrase?.hasPrefix("= 2**3 * 5**2 \u{043D}\u{043E}") == true)
            #expect(try m.cseq.method == .invite)
            #expect(m.body.count == m.contentLength)
        },
        Case(name: "noreason") { (m: SIPMessage) throws(any Error) in
            // §3.1.1.13 Empty Reason Phrase.
            #expect(m.statusCode == 100 && m.reasonPhrase == "")
            #expect(try m.to.tag == "902jndnke3")
        },
    ]

    @Test(arguments: cases)
    func parsesAsDescribed(_ c: Case) throws {
        let bytes = try RFC4475Fixtures.bytes(c.name)
        let message = try SIPMessage.parse(bytes)
        try message.validate()
        #expect(message.canBuildStatelessResponse == message.isRequest)
        try c.check(message)
        // Unchanged messages serialize byte-for-byte (dblreq: just the first message).
        #expect(bytes.starts(with: message.bytes))
        if c.name != "dblreq" { #expect(message.bytes == bytes) }
    }

    @Test func coversEveryValidMessage() {
        #expect(Set(Self.cases.map(\.name)) == Set(RFC4475Fixtures.valid))
    }
}
