import Testing
@testable import Signaling

/// The REGISTER path's shortcuts give what the general code gave: To tags, binding keys, URI text,
/// routing order, max_contacts decisions.
@Suite("RegistrarFastPath")
struct RegistrarFastPathTests {
    /// FNV-1a over the text the tag is defined on, written out independently of the builder.
    func referenceTag(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            hash ^= UInt64(b)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    @Test(arguments: [UInt32(0), 1, 9, 10, 99, 100, 1_000_000_000, 2_147_483_647, UInt32.max])
    func toTagHashesTheCSeqText(_ cseq: UInt32) {
        let tag = RegistrarResponseBuilder.toTag(callID: "abc@host", cseq: cseq, method: .register, branch: "z9hG4bK-1")
        #expect(String(decoding: tag, as: UTF8.self) == referenceTag("abc@host\(cseq) REGISTERz9hG4bK-1"))
    }

    @Test func canonicalContactLowercasesOnlyTheHost() throws {
        let lower = try SIPURI("sip:Alice@127.0.0.1:5090;transport=UDP")
        #expect(RegistrarBindingKey.canonicalContact(lower) == "sip:Alice@127.0.0.1:5090;transport=UDP")
        let upper = try SIPURI("sip:Alice@Phone.Example.COM;Transport=TCP?Subject=x")
        #expect(RegistrarBindingKey.canonicalContact(upper) == "sip:Alice@phone.example.com;Transport=TCP?Subject=x")
        let v6 = try SIPURI("sip:bob@[2001:DB8::1]:5060")
        #expect(RegistrarBindingKey.canonicalContact(v6) == "sip:bob@[2001:db8::1]:5060")
    }

    @Test(arguments: [
        "sip:alice@127.0.0.1:5090;transport=udp", "sips:alice:secret@example.com;lr;maddr=10.0.0.1?h=1&x=y",
        "sip:example.com", "tel:+15551234567;phone-context=example.com", "urn:service:sos", "sip:[::1]:5061;ob",
    ])
    func uriTextIsUnchanged(_ text: String) throws {
        #expect(try SIPURI(text).description == text)
    }

    @Test(arguments: [
        "<sip:alice@127.0.0.1:5090;transport=udp>;expires=60;q=0.5", "\"Alice \\\"A\\\"\" <sip:alice@example.com>;tag=1",
        "sip:alice@example.com;tag=2", "Bob <sip:bob@example.com>", "<sip:a@b>;+sip.instance=\"<urn:uuid:1>\"",
    ])
    func nameAddressTextIsUnchanged(_ text: String) throws {
        let parsed = try SIPNameAddress(text)
        #expect(try SIPNameAddress(parsed.description) == parsed)
        #expect(parsed.parameters.serialized == parsed.parameters.map { ";" + $0.description }.joined())
    }

    func binding(_ contact: String, q: Int, updated: Int64, expires: Int64) -> RegistrarBinding {
        let aor = AddressOfRecord(user: "alice", host: "example.com")
        return RegistrarBinding(key: RegistrarBindingKey(aor: aor, contactURI: contact), contact: "<\(contact)>", callID: "c",
                                cseq: 1, expiresAt: RegistrarInstant(milliseconds: expires), q: q,
                                registeredAt: RegistrarInstant(milliseconds: 0),
                                updatedAt: RegistrarInstant(milliseconds: updated),
                                source: RegistrarPeer(host: "127.0.0.1", port: 5090, transport: .udp),
                                socket: LocalSocketRef(0), nat: [])
    }

    @Test func activeBindingsOfOneAndOfMany() {
        var store = LocationStore()
        let aor = AddressOfRecord(user: "alice", host: "example.com")
        store.save(binding("sip:a@1.1.1.1", q: 1000, updated: 10, expires: 5000))
        #expect(store.activeBindings(of: aor, now: RegistrarInstant(milliseconds: 4999)).count == 1)
        #expect(store.activeBindings(of: aor, now: RegistrarInstant(milliseconds: 5000)).isEmpty)
        #expect(store.storedBindingCount(of: aor) == 1)
        store.save(binding("sip:b@1.1.1.1", q: 500, updated: 20, expires: 9000))
        store.save(binding("sip:c@1.1.1.1", q: 1000, updated: 30, expires: 9000))
        let order = store.activeBindings(of: aor, now: RegistrarInstant(milliseconds: 100)).map(\.key.contactURI)
        #expect(order == ["sip:c@1.1.1.1", "sip:a@1.1.1.1", "sip:b@1.1.1.1"])
        #expect(store.storedBindingCount(of: AddressOfRecord(user: "bob", host: "example.com")) == 0)
    }

    @Test func expiryHeapRebuildKeepsOnlyLiveEntries() {
        var store = LocationStore()
        // Refreshing one binding 3000 times leaves 3000 stale heap entries: the sweep rebuilds the heap.
        for i in 0..<3000 { store.save(binding("sip:a@1.1.1.1", q: 1000, updated: Int64(i), expires: 10_000 + Int64(i))) }
        store.save(binding("sip:b@1.1.1.1", q: 1000, updated: 0, expires: 20_000))
        #expect(store.removeExpired(now: RegistrarInstant(milliseconds: 100)).isEmpty)
        let gone = store.removeExpired(now: RegistrarInstant(milliseconds: 12_999))
        #expect(gone.map(\.key.contactURI) == ["sip:a@1.1.1.1"])
        #expect(store.bindingCount == 1)
        #expect(store.removeExpired(now: RegistrarInstant(milliseconds: 20_000)).map(\.key.contactURI) == ["sip:b@1.1.1.1"])
    }
}
