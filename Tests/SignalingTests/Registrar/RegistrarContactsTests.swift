import Testing
@testable import Signaling

/// Several contacts with q, `*` removal, Call-ID/CSeq ordering, max_contacts, AOR canonical form,
/// domain policy.
@Suite struct RegistrarContactsTests {
    typealias F = RegistrarFixture
    let aor = AddressOfRecord(user: "alice", host: "example.com")

    @Test func severalContactsWithQ() throws {
        var r = Registrar()
        let out = r.handleRegister(F.register(contacts: ["<sip:a@192.168.1.20>;q=0.5", "<sip:b@192.168.1.20>;q=0.9, <sip:c@192.168.1.20>"]),
                                   from: F.phone, socket: F.socket, now: F.t0)
        #expect(F.response(out)?.values(.contact).count == 3)
        guard case .found(let list) = r.lookup(aor, now: F.t0) else { Issue.record("not found"); return }
        #expect(list.map(\.key.contactURI) == ["sip:c@192.168.1.20", "sip:b@192.168.1.20", "sip:a@192.168.1.20"])
        #expect(list.map(\.q) == [1000, 900, 500])
    }

    @Test func invalidQIs400() {
        var r = Registrar()
        let out = r.handleRegister(F.register(contacts: ["<sip:a@192.168.1.20>;q=1.5"]), from: F.phone, socket: F.socket, now: F.t0)
        #expect(F.response(out)?.statusCode == 400)
    }

    @Test func wildcardRemovesAll() throws {
        var r = Registrar()
        _ = r.handleRegister(F.register(cseq: 1, contacts: ["<sip:a@192.168.1.20>", "<sip:b@192.168.1.20>"]), from: F.phone, socket: F.socket, now: F.t0)
        let out = r.handleRegister(F.register(cseq: 2, contacts: ["*"], expires: 0), from: F.phone, socket: F.socket, now: F.t0)
        #expect(F.response(out)?.statusCode == 200)
        #expect(F.response(out)?.values(.contact) == [])
        #expect(out.changes.count == 2)
        #expect(r.store.bindingCount == 0)
        #expect(r.lookup(aor, now: F.t0) == .allExpired)
        #expect(r.counters.count(.wildcard) == 2)
    }

    @Test func wildcardNeedsExpiresZero() {
        var r = Registrar()
        #expect(F.response(r.handleRegister(F.register(contacts: ["*"], expires: 60), from: F.phone, socket: F.socket, now: F.t0))?.statusCode == 400)
        #expect(F.response(r.handleRegister(F.register(contacts: ["*"]), from: F.phone, socket: F.socket, now: F.t0))?.statusCode == 400)
    }

    @Test func sameCSeqIsRetransmission() throws {
        var r = Registrar()
        let first = r.handleRegister(F.register(cseq: 5, contacts: ["<sip:a@192.168.1.20>;expires=600"]), from: F.phone, socket: F.socket, now: F.t0)
        let again = r.handleRegister(F.register(cseq: 5, contacts: ["<sip:a@192.168.1.20>;expires=600"]),
                                     from: F.phone, socket: F.socket, now: F.t0.adding(seconds: 10))
        #expect(again.result == .retransmission)
        #expect(again.changes.isEmpty)
        #expect(F.response(again)?.values(.contact) == ["<sip:a@192.168.1.20>;expires=590"])
        #expect(F.response(first)?.values(.to) == F.response(again)?.values(.to))  // same To tag
    }

    @Test func lowerCSeqIs500AndHigherRefreshes() throws {
        var r = Registrar()
        _ = r.handleRegister(F.register(cseq: 5), from: F.phone, socket: F.socket, now: F.t0)
        let old = r.handleRegister(F.register(cseq: 4), from: F.phone, socket: F.socket, now: F.t0)
        #expect(F.response(old)?.statusCode == 500)
        #expect(old.result == .outOfOrder)
        let newer = r.handleRegister(F.register(cseq: 6, expires: 120), from: F.phone, socket: F.socket, now: F.t0.adding(seconds: 5))
        #expect(newer.result == .accepted)
        #expect(r.store.storedBindings(of: aor).first?.cseq == 6)
        // A different Call-ID is always accepted, whatever its CSeq.
        let other = r.handleRegister(F.register(callID: "rebooted", cseq: 1), from: F.phone, socket: F.socket, now: F.t0)
        #expect(other.result == .accepted)
    }

    @Test func unregisterOneContact() throws {
        var r = Registrar()
        _ = r.handleRegister(F.register(cseq: 1, contacts: ["<sip:a@192.168.1.20>", "<sip:b@192.168.1.20>"]), from: F.phone, socket: F.socket, now: F.t0)
        let out = r.handleRegister(F.register(cseq: 2, contacts: ["<sip:a@192.168.1.20>;expires=0"]), from: F.phone, socket: F.socket, now: F.t0)
        #expect(F.response(out)?.values(.contact) == ["<sip:b@192.168.1.20>;expires=3600"])
        #expect(out.result == .unregistered)
    }

    @Test func queryWithoutContact() throws {
        var r = Registrar()
        _ = r.handleRegister(F.register(cseq: 1), from: F.phone, socket: F.socket, now: F.t0)
        let out = r.handleRegister(F.register(cseq: 2, contacts: []), from: F.phone, socket: F.socket, now: F.t0)
        #expect(out.result == .queried)
        #expect(F.response(out)?.values(.contact).count == 1)
    }

    @Test func maxContactsReject() throws {
        var c = RegistrarConfiguration()
        c.maxContacts = 2
        c.maxContactsPolicy = .rejectRequest
        var r = Registrar(configuration: c)
        _ = r.handleRegister(F.register(callID: "1", contacts: ["<sip:a@192.168.1.20>", "<sip:b@192.168.1.20>"]), from: F.phone, socket: F.socket, now: F.t0)
        let out = r.handleRegister(F.register(callID: "2", contacts: ["<sip:c@192.168.1.20>"]), from: F.phone, socket: F.socket, now: F.t0)
        let resp = try #require(F.response(out))
        #expect(resp.statusCode == 403 && resp.reasonPhrase == "Too many registered contacts")
        #expect(r.store.bindingCount == 2)
        // Refreshing an existing contact is not "more".
        let refresh = r.handleRegister(F.register(callID: "1", cseq: 2, contacts: ["<sip:a@192.168.1.20>"]), from: F.phone, socket: F.socket, now: F.t0)
        #expect(refresh.result == .accepted)
    }

    @Test func maxContactsEvictOldest() throws {
        var c = RegistrarConfiguration()
        c.maxContacts = 2
        var r = Registrar(configuration: c)
        #expect(c.maxContactsPolicy == .evictOldest)
        _ = r.handleRegister(F.register(callID: "1", contacts: ["<sip:a@192.168.1.20>"]), from: F.phone, socket: F.socket, now: F.t0)
        _ = r.handleRegister(F.register(callID: "2", contacts: ["<sip:b@192.168.1.20>"]), from: F.phone, socket: F.socket, now: F.t0.adding(seconds: 1))
        let out = r.handleRegister(F.register(callID: "3", contacts: ["<sip:c@192.168.1.20>"]), from: F.phone, socket: F.socket, now: F.t0.adding(seconds: 2))
        #expect(out.result == .accepted)
        #expect(out.changes.contains { if case .removed(let b, .evicted) = $0 { return b.key.contactURI == "sip:a@192.168.1.20" }; return false })
        #expect(Set(r.store.storedBindings(of: aor).map(\.key.contactURI)) == ["sip:b@192.168.1.20", "sip:c@192.168.1.20"])
        // A single request with more contacts than allowed is still refused.
        let big = r.handleRegister(F.register(callID: "4", contacts: ["<sip:d@1.2.3.4>", "<sip:e@1.2.3.4>", "<sip:f@1.2.3.4>"]),
                                   from: F.phone, socket: F.socket, now: F.t0)
        #expect(F.response(big)?.statusCode == 403)
    }

    @Test func aorIsCanonical() throws {
        var r = Registrar()
        var m = F.register(contacts: ["<sip:a@192.168.1.20>"])
        try m.setHeader(.to, value: "\"Alice\" <sips:%61lice@EXAMPLE.com:5061;transport=tls>")
        _ = r.handleRegister(m, from: F.phone, socket: F.socket, now: F.t0)
        #expect(r.store.storedBindings(of: aor).count == 1)
        #expect(aor.description == "sip:alice@example.com")
        #expect(AddressOfRecord("sip:Alice@Example.COM") == AddressOfRecord(user: "Alice", host: "example.com"))
    }

    @Test func domainPolicy() throws {
        var c = RegistrarConfiguration()
        c.domainMode = { $0 == "example.com" ? .local : nil }
        var r = Registrar(configuration: c)
        let out = r.handleRegister(F.register(domain: "elsewhere.org"), from: F.phone, socket: F.socket, now: F.t0)
        #expect(F.response(out)?.statusCode == 403)
        #expect(out.result == .domainNotServed)
    }
}
