import Testing
@testable import Signaling

/// The registrar's 200 OK written from the request's bytes (`SIPResponseWriter`) equals what the
/// model path (`SIPMessage.response` with String headers, then a parse) gives: same bytes, same
/// index, same To tag; for single and multiple contacts, `Contact: *`, `expires` parameters,
/// Path, Date, compact and folded headers, and a To that already has a tag.
@Suite struct RegistrarByteResponseTests {
    typealias F = RegistrarFixture

    /// The response as the registrar built it before the byte path (the reference).
    static func modelOK(_ request: SIPMessage, bindings: [RegistrarBinding], now: RegistrarInstant, path: [String],
                        includePath: Bool, addDate: Bool) -> SIPMessage?
    {
        var headers: [(name: String, value: String)] = bindings.map {
            (name: "Contact", value: "\($0.contact);expires=\(now.secondsUntil($0.expiresAt))")
        }
        if includePath && !path.isEmpty {
            headers.append(contentsOf: path.map { (name: "Path", value: $0) })
            headers.append((name: "Supported", value: "path"))
        }
        if addDate { headers.append((name: "Date", value: HTTPDate.format(now))) }
        return try? SIPMessage.response(to: request, status: 200, reason: "OK",
                                        toTag: RegistrarResponseBuilder.toTag(request), extraHeaders: headers)
    }

    static func expectSame(_ built: SIPMessage, _ reference: SIPMessage) {
        #expect(String(decoding: built.bytes, as: UTF8.self) == String(decoding: reference.bytes, as: UTF8.self))
        #expect(built.headerIndex == reference.headerIndex)
        #expect(built.layout.isRequest == reference.layout.isRequest)
        #expect(built.layout.statusCode == reference.layout.statusCode)
        #expect(built.layout.reasonStart == reference.layout.reasonStart)
        #expect(built.layout.reasonEnd == reference.layout.reasonEnd)
        #expect(built.layout.startLineEnd == reference.layout.startLineEnd)
        #expect(built.layout.headersEnd == reference.layout.headersEnd)
        #expect(built.layout.contentLength == reference.layout.contentLength)
        // And it parses back to the same index.
        let reparsed = try? SIPMessage.parse(built.bytes)
        #expect(reparsed?.headerIndex == built.headerIndex)
    }

    /// Runs a REGISTER through a registrar and compares its 200 with the model path's.
    func check(_ request: SIPMessage, addDate: Bool = false, supportsPath: Bool = false,
               prior: [SIPMessage] = [], sourceLine: SourceLocation = #_sourceLocation) throws
    {
        var c = RegistrarConfiguration()
        c.addDateHeader = addDate
        var r = Registrar(configuration: c)
        for p in prior { _ = r.handleRegister(p, from: F.phone, socket: F.socket, now: F.t0) }
        let now = F.t0.adding(seconds: 7)
        let out = r.handleRegister(request, from: F.phone, socket: F.socket, now: now)
        let built = try #require(F.response(out), sourceLocation: sourceLine)
        #expect(built.statusCode == 200, sourceLocation: sourceLine)
        let parsed = try RegisterRequest.parse(request, configuration: c)
        let aor = parsed.aor
        let reference = try #require(Self.modelOK(request, bindings: r.store.activeBindings(of: aor, now: now), now: now,
                                                  path: parsed.path, includePath: parsed.supportsPath, addDate: addDate),
                                     sourceLocation: sourceLine)
        Self.expectSame(built, reference)
        #expect(!supportsPath || built.values(.supported) == ["path"], sourceLocation: sourceLine)
    }

    @Test func singleContact() throws {
        try check(F.register())
    }

    @Test func multipleContactsWithExpiresParameters() throws {
        try check(F.register(contacts: ["<sip:alice@192.168.1.20:5060>;expires=120",
                                        "\"Desk\" <sip:alice@192.168.1.21>;q=0.5;expires=600",
                                        "sip:alice@192.168.1.22;transport=tcp"], expires: 300))
        try check(F.register(contacts: ["<sip:a@192.168.1.20>;expires=120, <sip:b@192.168.1.21>;expires=3000"]))
    }

    @Test func refreshListsEveryLiveBinding() throws {
        let first = F.register(callID: "c1", contacts: ["<sip:a@192.168.1.20>"])
        try check(F.register(callID: "c2", contacts: ["<sip:b@192.168.1.21>;expires=90"]), prior: [first])
    }

    @Test func wildcardAndQueryAndRemoval() throws {
        let first = F.register(callID: "c1", contacts: ["<sip:a@192.168.1.20>"])
        try check(F.register(callID: "c1", cseq: 2, contacts: ["*"], expires: 0), prior: [first])  // no Contact left
        try check(F.register(callID: "c9", contacts: []), prior: [first])  // query
        try check(F.register(callID: "c1", cseq: 2, contacts: ["<sip:a@192.168.1.20>;expires=0"]), prior: [first])
    }

    @Test func pathDateAndCompactFoldedHeaders() throws {
        try check(F.register(extra: ["Path: <sip:p1.example.net;lr>, <sip:p2.example.net;lr>", "Supported: path"]),
                  addDate: true, supportsPath: true)
        try check(F.register(extra: ["Path: <sip:p1.example.net;lr>"]), addDate: true)  // no Supported: path
        let compact = try SIPMessage.parse(
            "REGISTER sip:example.com SIP/2.0\r\nv: SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bKc;rport\r\n"
                + "v: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKd\r\nt: <sip:alice@example.com>\r\n"
                + "f: <sip:alice@example.com>;tag=1\r\ni: compact-1\r\nCSeq: 5\r\n  REGISTER\r\n"
                + "m: <sip:alice@192.168.1.20>;expires=60\r\nl: 0\r\n\r\n")
        try check(compact, addDate: true)
    }

    @Test func toWithTagKeepsIt() throws {
        let tagged = try SIPMessage.parse(
            "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.1.20;branch=z9hG4bKt\r\n"
                + "To: <sip:alice@example.com>;tag=abc\r\nFrom: <sip:alice@example.com>;tag=1\r\n"
                + "Call-ID: t-1\r\nCSeq: 1 REGISTER\r\nContact: <sip:alice@192.168.1.20>\r\nContent-Length: 0\r\n\r\n")
        try check(tagged)
    }

    @Test func toTagFromValuesEqualsToTagFromMessage() throws {
        let m = F.register(callID: "abc@host", cseq: 2_000_000_000)
        let tag = RegistrarResponseBuilder.toTag(callID: "abc@host", cseq: 2_000_000_000, method: .register,
                                                 branch: "z9hG4bK1")
        #expect(String(decoding: tag, as: UTF8.self) == RegistrarResponseBuilder.toTag(m))
    }

    @Test func writerRefusesLineBreaksAndEdgeWhitespace() throws {
        let request = F.register()
        var writer = try #require(SIPResponseWriter(respondingTo: request, status: 200, reason: "OK", toTag: nil,
                                                    toHasTag: false))
        let lineBreak = writer.append(.other, name: "X-Test", bytes: "a\r\nb".utf8)
        let leadingSpace = writer.append(.other, name: "X-Test", bytes: " a".utf8)
        let empty = writer.append(.other, name: "X-Test", bytes: "".utf8)
        let fine = writer.append(.other, name: "X-Test", bytes: "ok".utf8)
        #expect(!lineBreak && !leadingSpace && !empty && fine)
        let message = writer.finish()
        #expect(message.values(named: "X-Test") == ["ok"])
        #expect(SIPResponseWriter(respondingTo: request, status: 99, reason: "OK", toTag: nil, toHasTag: false) == nil)
        #expect(SIPResponseWriter(respondingTo: request, status: 200, reason: "O\rK", toTag: nil, toHasTag: false) == nil)
    }

    @Test func decimals() {
        for n in [0, 7, 10, 99, 3600, 4_294_967_295] {
            var out: [UInt8] = []
            SIPResponseWriter.appendDecimal(n, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(n))
        }
    }
}

/// The allocation-free IPv4 path of the NAT tests agrees with the general byte parser.
@Suite struct IPv4FastPathTests {
    @Test func ipv4ValueAcceptsWhatTheByteParserAccepts() {
        let samples = ["10.0.0.1", "172.16.0.1", "172.31.255.255", "172.32.0.1", "192.168.1.20", "192.169.0.1",
                       "100.64.0.1", "100.127.255.255", "100.128.0.1", "169.254.1.1", "169.253.1.1", "127.0.0.1",
                       "203.0.113.7", "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.5", "1..2.3",
                       "01.002.3.4", "0001.2.3.4", "1.2.3.", ".1.2.3", "a.b.c.d", "", "::1", "[192.0.2.1]",
                       "::ffff:10.0.0.1", "fd00::1", "fe80::1", "2001:db8::1", "example.com"]
        for text in samples {
            let v4 = IPAddressClassifier.ipv4Value(text)
            let bytes = IPAddressClassifier.bytes(text)
            if let v4 {
                #expect(bytes == [UInt8(v4 >> 24), UInt8(v4 >> 16 & 0xFF), UInt8(v4 >> 8 & 0xFF), UInt8(v4 & 0xFF)],
                        "\(text)")
            } else {
                #expect(bytes == nil || bytes?.count == 16 || text.hasPrefix("["), "\(text)")
            }
        }
        let privates = ["10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.20", "100.64.0.1", "100.127.255.255",
                        "169.254.1.1", "::ffff:10.0.0.1", "fd00::1", "fe80::1"]
        for text in samples {
            #expect(IPAddressClassifier.isPrivate(text) == privates.contains(text), "\(text)")
        }
        #expect(IPAddressClassifier.sameAddress("192.0.2.1", "192.0.2.1"))
        #expect(IPAddressClassifier.sameAddress("192.0.2.1", "::ffff:192.0.2.1"))
        #expect(!IPAddressClassifier.sameAddress("192.0.2.1", "192.0.2.2"))
        #expect(!IPAddressClassifier.sameAddress("example.com", "example.com"))
    }
}
