import Testing
@testable import Signaling

@Suite struct PresenceMessageTests {
    typealias F = PresenceFixture
    let t0 = SIPInstant(milliseconds: 1000)

    @Test func onlineRecipientIsForwarded() {
        var store = OfflineMessageStore()
        let actions = store.receiveMessage(F.message(), now: t0, unixSeconds: 1_700_000_000) { _ in true }
        guard case .deliver(_, let to) = actions.first else { Issue.record("not delivered"); return }
        #expect(to == F.aor("bob"))
        #expect(store.count == 0)
    }

    @Test func offlineIsStoredAnswered202AndDeliveredOnRegister() throws {
        var store = OfflineMessageStore()
        let stored = store.receiveMessage(F.message(body: "see you"), now: t0, unixSeconds: 1_700_000_000) { _ in false }
        guard case .respond(let r) = stored.first else { Issue.record("no response"); return }
        #expect(r.statusCode == 202)
        #expect(store.count == 1)

        let sent = store.userRegistered(F.aor("bob"), now: t0 + 5000)
        guard case .sendMessage(let message, let to, let id) = sent.first else { Issue.record("nothing sent"); return }
        #expect(to == F.aor("bob"))
        #expect(message.method == .message)
        #expect(message.requestURIText == "sip:bob@example.com")
        #expect(F.header(message, "Date") == "Tue, 14 Nov 2023 22:13:20 GMT")
        #expect(try message.from.uri.description == "sip:alice@example.com")
        #expect(F.bodyText(message) == "see you")
        // In flight: a second REGISTER does not duplicate it.
        #expect(store.userRegistered(F.aor("bob"), now: t0 + 6000).isEmpty)
        // Failure keeps it; the next REGISTER retries; success removes it.
        store.deliveryResult(id, status: 408)
        #expect(store.count == 1)
        guard case .sendMessage(_, _, let again) = store.userRegistered(F.aor("bob"), now: t0 + 7000).first else {
            Issue.record("not retried"); return
        }
        store.deliveryResult(again, status: 200)
        #expect(store.count == 0)
    }

    @Test func limitsRefuseInsteadOfStoring() {
        var settings = OfflineMessageSettings()
        settings.maxPerRecipient = 1
        settings.maxBodyBytes = 8
        var store = OfflineMessageStore(settings: settings)
        func status(_ a: [MessageAction]) -> Int? { if case .respond(let m) = a.first { return m.statusCode } else { return nil } }
        #expect(status(store.receiveMessage(F.message(body: "far too long"), now: t0, unixSeconds: 0) { _ in false }) == 513)
        #expect(status(store.receiveMessage(F.message(body: "hi"), now: t0, unixSeconds: 0) { _ in false }) == 202)
        #expect(status(store.receiveMessage(F.message(body: "hi2"), now: t0, unixSeconds: 0) { _ in false }) == 480)
        store.advance(to: t0 + settings.retentionMilliseconds)
        #expect(store.count == 0)
    }
}
