import Testing
@testable import Signaling

/// nat_uac_test-style detection (flags 1, 2, 16 and combinations), private ranges, the received
/// record on bindings, and the Contact fixes for dialog-forming messages.
@Suite struct RegistrarNATTests {
    typealias F = RegistrarFixture
    let detector = NATDetector()

    func status(contact: String, via: String, source: RegistrarPeer) -> NATStatus {
        detector.detect(F.register(contacts: [contact], via: via), source: source)
    }

    @Test func publicPhoneIsNotNATed() {
        let src = RegistrarPeer(host: "198.51.100.9", port: 5060, transport: .udp)
        #expect(status(contact: "<sip:a@198.51.100.9:5060>", via: "SIP/2.0/UDP 198.51.100.9;branch=z9hG4bK1", source: src) == [])
    }

    @Test func flag1PrivateContactOnly() {
        let src = RegistrarPeer(host: "198.51.100.9", port: 5060, transport: .udp)
        #expect(status(contact: "<sip:a@10.1.2.3:5060>", via: "SIP/2.0/UDP 198.51.100.9:5060;branch=z9hG4bK1", source: src) == [.contactPrivate])
    }

    @Test func flag2ReceivedOnly() {
        let src = RegistrarPeer(host: "198.51.100.9", port: 5060, transport: .udp)
        #expect(status(contact: "<sip:a@198.51.100.9>", via: "SIP/2.0/UDP 198.51.100.10;branch=z9hG4bK1", source: src) == [.viaReceived])
        // A host name in Via never equals the source address.
        #expect(status(contact: "<sip:a@198.51.100.9>", via: "SIP/2.0/UDP phone.example.com;branch=z9hG4bK1", source: src) == [.viaReceived])
    }

    @Test func flag16PortOnly() {
        let src = RegistrarPeer(host: "198.51.100.9", port: 31_000, transport: .udp)
        #expect(status(contact: "<sip:a@198.51.100.9:31000>", via: "SIP/2.0/UDP 198.51.100.9;branch=z9hG4bK1", source: src) == [.viaPort])
    }

    @Test func allThreeBehindHomeRouter() {
        let n = status(contact: "<sip:a@192.168.1.20:5060>", via: "SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bK1", source: F.phone)
        #expect(n == [.contactPrivate, .viaReceived, .viaPort])
        #expect(n.rawValue == 19)
        // The mask limits the tests run.
        let onlyPort = NATDetector(tests: [.viaPort]).detect(
            F.register(contacts: ["<sip:a@192.168.1.20:5060>"], via: "SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bK1"), source: F.phone)
        #expect(onlyPort == [.viaPort])
    }

    @Test func ipv6SpellingsAndRanges() {
        #expect(IPAddressClassifier.sameAddress("[2001:db8::1]", "2001:0db8:0:0:0:0:0:1"))
        #expect(IPAddressClassifier.sameAddress("::ffff:192.0.2.1", "192.0.2.1"))
        #expect(!IPAddressClassifier.sameAddress("2001:db8::1", "2001:db8::2"))
        for p in ["10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.0.1", "100.64.0.1", "100.127.255.254",
                  "169.254.1.1", "fd00::1", "fc12::1", "fe80::1", "[fd00::5]", "::ffff:10.1.1.1"] {
            #expect(IPAddressClassifier.isPrivate(p), "\(p)")
        }
        for p in ["172.32.0.1", "100.128.0.1", "8.8.8.8", "2001:db8::1", "127.0.0.1", "host.example", "1.2.3", "1:2:3"] {
            #expect(!IPAddressClassifier.isPrivate(p), "\(p)")
        }
        #expect(IPAddressClassifier.bytes("::") == [UInt8](repeating: 0, count: 16))
        #expect(IPAddressClassifier.bytes("1::2::3") == nil)
        #expect(IPAddressClassifier.bytes("256.1.1.1") == nil)
    }

    @Test func natedRegisterRecordsReceivedAndKeepsContact() throws {
        var r = Registrar()
        let out = r.handleRegister(F.register(), from: F.phone, socket: F.socket, now: F.t0)
        #expect(out.nat == [.contactPrivate, .viaReceived, .viaPort])
        // The 200 OK shows the Contact as the phone sent it.
        #expect(F.response(out)?.values(.contact) == ["<sip:alice@192.168.1.20:5060>;expires=3600"])
        let b = try #require(r.store.allBindings.first)
        #expect(b.source == F.phone && b.socket == F.socket)
        #expect(b.receivedURI == "sip:203.0.113.7:40123")
        #expect(b.routesViaSource)
        #expect(b.nat.isNATed)
    }

    @Test func fixContactRewrite() throws {
        var m = try SIPMessage.parse("INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.1.20;branch=z9hG4bKx\r\nTo: <sip:bob@example.com>\r\nFrom: <sip:alice@example.com>;tag=1\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContact: \"A\" <sip:alice@192.168.1.20:5060;ob>;+sip.instance=\"<urn:x>\"\r\nContent-Length: 0\r\n\r\n")
        #expect(try m.fixNATedContact(source: F.phone))
        #expect(m.values(.contact) == ["\"A\" <sip:alice@203.0.113.7:40123;ob>;+sip.instance=\"<urn:x>\""])
        let v6 = RegistrarPeer(host: "2001:db8::7", port: 5062, transport: .tcp)
        #expect(try m.fixNATedContact(source: v6))
        #expect(try m.contacts.addresses.first?.uri.description == "sip:alice@[2001:db8::7]:5062;ob")
    }

    @Test func fixContactAlias() throws {
        var m = F.register(contacts: ["<sip:alice@192.168.1.20:5060>", "<sip:other@192.168.1.20>"])
        #expect(try m.fixNATedContact(source: F.phone, mode: .aliasParameter))
        #expect(m.values(.contact) == ["<sip:alice@192.168.1.20:5060;alias=203.0.113.7~40123~1>", "<sip:other@192.168.1.20>"])
        var star = F.register(contacts: ["*"], expires: 0)
        #expect(try !star.fixNATedContact(source: F.phone))
    }
}
