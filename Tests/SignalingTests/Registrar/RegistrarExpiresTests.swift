import Testing
@testable import Signaling

/// Expiry rules (RFC 3261 §10.2.1, §10.3 step 7): Contact `expires` over Expires over the default;
/// 423 below the minimum; clamping above the maximum; remaining time in the 200 OK.
@Suite struct RegistrarExpiresTests {
    typealias F = RegistrarFixture

    func registrar() -> Registrar {
        var c = RegistrarConfiguration()
        c.minExpires = 60
        c.maxExpires = 3600
        c.defaultExpires = 1800
        return Registrar(configuration: c)
    }

    @Test func contactParameterWinsOverHeader() throws {
        var r = registrar()
        let out = r.handleRegister(F.register(contacts: ["<sip:alice@192.168.1.20>;expires=120"], expires: 600),
                                   from: F.phone, socket: F.socket, now: F.t0)
        let ok = try #require(F.response(out))
        #expect(ok.statusCode == 200)
        #expect(ok.values(.contact) == ["<sip:alice@192.168.1.20>;expires=120"])
        #expect(out.result == .accepted)
    }

    @Test func headerThenDefault() throws {
        var r = registrar()
        _ = r.handleRegister(F.register(contacts: ["<sip:a@192.168.1.20>"], expires: 600), from: F.phone, socket: F.socket, now: F.t0)
        let aor = AddressOfRecord(user: "alice", host: "example.com")
        #expect(r.store.storedBindings(of: aor).first?.expiresAt == F.t0.adding(seconds: 600))
        _ = r.handleRegister(F.register(callID: "other", contacts: ["<sip:b@192.168.1.20>"]), from: F.phone, socket: F.socket, now: F.t0)
        #expect(r.store.binding(RegistrarBindingKey(aor: aor, contactURI: "sip:b@192.168.1.20"))?.expiresAt == F.t0.adding(seconds: 1800))
    }

    @Test func malformedExpiresHeaderFallsBackToDefault() throws {
        var r = registrar()
        let m = F.register(contacts: ["<sip:a@192.168.1.20>"], extra: ["Expires: soon"])
        let out = r.handleRegister(m, from: F.phone, socket: F.socket, now: F.t0)
        #expect(F.response(out)?.values(.contact) == ["<sip:a@192.168.1.20>;expires=1800"])
    }

    @Test func tooBriefIs423WithMinExpires() throws {
        var r = registrar()
        let out = r.handleRegister(F.register(expires: 30), from: F.phone, socket: F.socket, now: F.t0)
        let resp = try #require(F.response(out))
        #expect(resp.statusCode == 423)
        #expect(resp.values(.minExpires) == ["60"])
        #expect(r.store.bindingCount == 0)
        #expect(r.counters.count(.intervalTooBrief) == 1)
        // One too-brief contact fails the whole request.
        let mixed = F.register(contacts: ["<sip:a@192.168.1.20>;expires=300", "<sip:b@192.168.1.20>;expires=1"])
        #expect(F.response(r.handleRegister(mixed, from: F.phone, socket: F.socket, now: F.t0))?.statusCode == 423)
        #expect(r.store.bindingCount == 0)
    }

    @Test func zeroIsNotTooBrief() throws {
        var r = registrar()
        let out = r.handleRegister(F.register(expires: 0), from: F.phone, socket: F.socket, now: F.t0)
        #expect(F.response(out)?.statusCode == 200)
    }

    @Test func aboveMaximumIsClamped() throws {
        var r = registrar()
        let out = r.handleRegister(F.register(contacts: ["<sip:a@192.168.1.20>;expires=86400"]), from: F.phone, socket: F.socket, now: F.t0)
        #expect(F.response(out)?.values(.contact) == ["<sip:a@192.168.1.20>;expires=3600"])
    }

    @Test func okListsRemainingTimeOfEveryBinding() throws {
        var r = registrar()
        _ = r.handleRegister(F.register(callID: "x", contacts: ["<sip:a@192.168.1.20>;expires=600"]), from: F.phone, socket: F.socket, now: F.t0)
        let later = F.t0.adding(seconds: 100)
        let out = r.handleRegister(F.register(callID: "y", contacts: ["<sip:b@192.168.1.21>;expires=300"]),
                                   from: F.phone, socket: F.socket, now: later)
        let contacts = Set(try #require(F.response(out)).values(.contact))
        #expect(contacts == ["<sip:a@192.168.1.20>;expires=500", "<sip:b@192.168.1.21>;expires=300"])
    }

    @Test func dateHeaderOptional() throws {
        var c = RegistrarConfiguration()
        c.addDateHeader = true
        var r = Registrar(configuration: c)
        let out = r.handleRegister(F.register(), from: F.phone, socket: F.socket, now: RegistrarInstant(seconds: 784_111_777))
        #expect(F.response(out)?.values(.date) == ["Sun, 06 Nov 1994 08:49:37 GMT"])
    }

    @Test func expiryOverTime() throws {
        var r = registrar()
        _ = r.handleRegister(F.register(contacts: ["<sip:a@192.168.1.20>;expires=60", "<sip:b@192.168.1.20>;expires=120"]),
                             from: F.phone, socket: F.socket, now: F.t0)
        #expect(r.expire(now: F.t0.adding(seconds: 59)).isEmpty)
        let first = r.expire(now: F.t0.adding(seconds: 60))
        #expect(first.map(\.key.contactURI) == ["sip:a@192.168.1.20"])
        #expect(r.store.bindingCount == 1)
        let second = r.expire(now: F.t0.adding(seconds: 500))
        #expect(second.count == 1)
        #expect(r.counters.count(.expired) == 2)
        #expect(r.counters.bindings == 0)
    }
}
