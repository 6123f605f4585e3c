import Testing
@testable import Signaling

/// Pass-through: the REGISTER goes to the backend with a Path carrying the source; a challenge is
/// relayed without saving; the backend's 2xx saves with the backend's expiry.
@Suite struct RegistrarPassThroughTests {
    typealias F = RegistrarFixture
    let aor = AddressOfRecord(user: "alice", host: "example.com")

    func registrar() -> Registrar {
        var c = RegistrarConfiguration()
        c.domainMode = { _ in .passThrough }
        c.pathHost = "edge.example.net:5060"
        c.pendingLimit = 2
        return Registrar(configuration: c)
    }

    func forwarded(_ out: RegistrarOutput) -> SIPMessage? {
        if case .forward(let m) = out.action { return m }
        return nil
    }

    func send(_ r: inout Registrar, _ m: SIPMessage) throws -> SIPMessage {
        let out = r.handleRegister(m, from: F.phone, socket: F.socket, now: F.t0)
        return try #require(forwarded(out))
    }

    func backend(_ request: SIPMessage, _ status: Int, contacts: [String] = []) throws -> SIPMessage {
        try SIPMessage.response(to: request, status: status, reason: status == 200 ? "OK" : "Unauthorized", toTag: "fs1",
                                extraHeaders: contacts.map { ("Contact", $0) })
    }

    @Test func forwardsWithPathReceived() throws {
        var r = registrar()
        let out = r.handleRegister(F.register(), from: F.phone, socket: F.socket, now: F.t0)
        let fwd = try #require(forwarded(out))
        #expect(fwd.values(.path) == ["<sip:edge.example.net:5060;lr;received=sip:203.0.113.7:40123>"])
        #expect(try fwd.nameAddresses(.path).first?.uri.parameter("received")?.value == "sip:203.0.113.7:40123")
        #expect(out.changes.isEmpty && r.store.bindingCount == 0)
        #expect(r.counters.pending == 1)
        let tcp = RegistrarPeer(host: "203.0.113.7", port: 50_000, transport: .tcp)
        let out2 = r.handleRegister(F.register(callID: "t"), from: tcp, socket: F.socket, now: F.t0)
        #expect(forwarded(out2)?.values(.path).first == "<sip:edge.example.net:5060;lr;received=sip:203.0.113.7:50000%3Btransport%3Dtcp>")
    }

    @Test func challengeIsRelayedWithoutSaving() throws {
        var r = registrar()
        let reg = F.register()
        let fwd = try send(&r, reg)
        let relayed = r.handleBackendResponse(try backend(fwd, 401), now: F.t0)
        let out = try #require(relayed)
        guard case .relay(let resp, let to, let socket) = out.action else { Issue.record("not relayed"); return }
        #expect(resp.statusCode == 401 && to == F.phone && socket == F.socket)
        #expect(out.changes.isEmpty && r.store.bindingCount == 0)
        #expect(r.counters.count(.backendRejected) == 1)
        // The entry is gone: a second final response is not ours.
        let second = r.handleBackendResponse(try backend(fwd, 401), now: F.t0)
        #expect(second == nil)
    }

    @Test func okSavesWithBackendExpires() throws {
        var r = registrar()
        let reg = F.register(cseq: 2, contacts: ["<sip:alice@192.168.1.20:5060>"], expires: 3600)
        let fwd = try send(&r, reg)
        // 100 Trying is relayed and keeps the entry.
        let tryingOut = r.handleBackendResponse(try SIPMessage.response(to: fwd, status: 100, reason: "Trying"), now: F.t0)
        let trying = try #require(tryingOut)
        #expect(trying.changes.isEmpty && r.counters.pending == 1)
        let ok = try backend(fwd, 200, contacts: ["<sip:alice@192.168.1.20:5060>;expires=600", "<sip:alice@10.9.9.9>;expires=100"])
        let okOut = r.handleBackendResponse(ok, now: F.t0)
        let out = try #require(okOut)
        #expect(out.result == .backendAccepted)
        #expect(out.changes.count == 1)
        let b = try #require(r.store.storedBindings(of: aor).first)
        #expect(b.expiresAt == F.t0.adding(seconds: 600))
        #expect(b.source == F.phone && b.nat.isNATed)
        #expect(r.store.bindingCount == 1)  // the backend's other contact is not ours to store
        #expect(r.counters.pending == 0)
    }

    @Test func okWithoutContactsUsesRequestExpiry() throws {
        var r = registrar()
        let fwd = try send(&r, F.register(expires: 900))
        _ = r.handleBackendResponse(try backend(fwd, 200), now: F.t0)
        #expect(r.store.storedBindings(of: aor).first?.expiresAt == F.t0.adding(seconds: 900))
        // Unregister through the backend.
        let unreg = try send(&r, F.register(cseq: 2, expires: 0))
        let unregOut = r.handleBackendResponse(try backend(unreg, 200), now: F.t0)
        let out = try #require(unregOut)
        #expect(out.changes.count == 1 && r.store.bindingCount == 0)
    }

    @Test func pendingIsBoundedAndTimesOut() throws {
        var r = registrar()
        for i in 0..<3 { _ = r.handleRegister(F.register(callID: "c\(i)"), from: F.phone, socket: F.socket, now: F.t0) }
        #expect(r.counters.pending == 2 && r.counters.pendingEvicted == 1)
        _ = r.expire(now: F.t0.adding(seconds: 31))
        #expect(r.counters.pending == 2)
        _ = r.expire(now: F.t0.adding(seconds: 32))
        #expect(r.counters.pending == 0 && r.counters.pendingTimedOut == 2)
    }

    @Test func unrelatedResponseIsNotOurs() throws {
        var r = registrar()
        let other = try SIPMessage.response(to: F.register(callID: "nobody"), status: 200, reason: "OK")
        let out = r.handleBackendResponse(other, now: F.t0)
        #expect(out == nil)
    }
}
