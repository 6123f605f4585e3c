import Testing
@testable import Signaling

/// The BLF bugs the issue lists, at the tracker and at the edge's message → event mapping.
@Suite struct PresenceDialogEdgeCaseTests {
    typealias F = PresenceFixture
    let t0 = SIPInstant(milliseconds: 5_000_000)
    let alice = PresenceFixture.aor("alice")
    let bob = PresenceFixture.aor("bob")
    let carol = PresenceFixture.aor("carol")

    func doc(_ updates: [DialogInfoUpdate], _ aor: AddressOfRecord) -> DialogInfoDocument? {
        updates.last { $0.aor == aor }?.document
    }

    @Test func forkedCallCancelledBeforeAnswerEndsAllBranchesOnce() throws {
        var tracker = DialogStateTracker()
        _ = tracker.apply(.invite(callID: "f", fromTag: "ft", caller: alice, callee: bob), now: t0)
        _ = tracker.apply(.response(callID: "f", toTag: "desk", status: 180), now: t0)
        _ = tracker.apply(.response(callID: "f", toTag: "soft", status: 180), now: t0)
        let cancelled = try #require(doc(tracker.apply(.cancel(callID: "f"), now: t0), bob))
        #expect(cancelled.dialogs.map(\.state) == [.terminated, .terminated])
        // The 487s of both branches afterwards change nothing (the call is gone, tombstoned).
        #expect(tracker.apply(.response(callID: "f", toTag: "desk", status: 487), now: t0).isEmpty)
        #expect(tracker.document(for: bob).dialogs.isEmpty)
    }

    @Test func severalCallsOnOneExtensionAreAllShown() throws {
        var tracker = DialogStateTracker()
        _ = tracker.apply(.invite(callID: "c1", fromTag: "a", caller: alice, callee: bob), now: t0)
        _ = tracker.apply(.response(callID: "c1", toTag: "b1", status: 200), now: t0)
        _ = tracker.apply(.invite(callID: "c2", fromTag: "c", caller: carol, callee: bob), now: t0)
        let both = try #require(doc(tracker.apply(.response(callID: "c2", toTag: "b2", status: 180), now: t0), bob))
        #expect(both.dialogs.map(\.callID) == ["c1", "c2"])
        #expect(both.dialogs.map(\.state) == [.confirmed, .early])
        #expect(both.entityState == .confirmed)
        // The first call ends: the waiting one is still shown.
        let after = try #require(doc(tracker.apply(.bye(callID: "c1"), now: t0), bob))
        #expect(after.dialogs.filter { $0.state != .terminated }.map(\.callID) == ["c2"])
    }

    @Test func forceSingleDialogShowsOnlyTheMostActive() throws {
        var tracker = DialogStateTracker()
        tracker.forceSingleDialog = true
        _ = tracker.apply(.invite(callID: "c1", fromTag: "a", caller: alice, callee: bob), now: t0)
        _ = tracker.apply(.response(callID: "c1", toTag: "b1", status: 200), now: t0)
        _ = tracker.apply(.invite(callID: "c2", fromTag: "c", caller: carol, callee: bob), now: t0)
        let single = try #require(doc(tracker.apply(.response(callID: "c2", toTag: "b2", status: 180), now: t0), bob))
        #expect(single.dialogs.map(\.callID) == ["c1"])
        #expect(single.dialogs.map(\.state) == [.confirmed])
        // Two ringing calls: the newest wins the tie.
        var ringing = DialogStateTracker()
        ringing.forceSingleDialog = true
        _ = ringing.apply(.invite(callID: "r1", fromTag: "a", caller: alice, callee: bob), now: t0)
        _ = ringing.apply(.response(callID: "r1", toTag: "x", status: 180), now: t0)
        _ = ringing.apply(.invite(callID: "r2", fromTag: "c", caller: carol, callee: bob), now: t0)
        let newest = try #require(doc(ringing.apply(.response(callID: "r2", toTag: "y", status: 180), now: t0), bob))
        #expect(newest.dialogs.map(\.callID) == ["r2"])
    }

    @Test func aLegDrivesOnlyItsPhoneSide() {
        var tracker = DialogStateTracker()
        let updates = tracker.apply(.invite(callID: "leg1", fromTag: "a", caller: alice, callee: bob, sides: .initiator), now: t0)
        #expect(updates.map(\.aor) == [alice])
        #expect(tracker.document(for: bob).dialogs.isEmpty)
        #expect(tracker.document(for: alice).dialogs.map(\.direction) == [.initiator])
        let leg2 = tracker.apply(.invite(callID: "leg2", fromTag: "fs", caller: alice, callee: bob, sides: .recipient), now: t0)
        #expect(leg2.map(\.aor) == [bob])
        #expect(tracker.document(for: alice).dialogs.count == 1)
        #expect(tracker.document(for: bob).dialogs.map(\.direction) == [.recipient])
    }

    // MARK: What the edge feeds the tracker

    static func message(_ lines: [String]) -> SIPMessage { PresenceFixture.parse(lines) }

    static let invite = message([
        "INVITE sip:bob@example.com SIP/2.0", "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKi1",
        "From: <sip:alice@example.com>;tag=ft", "To: <sip:bob@example.com>", "Call-ID: obs-1", "CSeq: 1 INVITE",
        "Max-Forwards: 70",
    ])

    static func response(_ status: Int, method: String, toTag: String = "tt") -> SIPMessage {
        message([
            "SIP/2.0 \(status) X", "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKi1", "From: <sip:alice@example.com>;tag=ft",
            "To: <sip:bob@example.com>;tag=\(toTag)", "Call-ID: obs-1", "CSeq: 2 \(method)",
        ])
    }

    @Test func observerMapsInviteSidesByDirection() {
        guard case .invite(_, _, let caller, let callee, let sides) = EdgeDialogObserver.event(for: Self.invite, fromFarm: false)
        else { Issue.record("no invite event"); return }
        #expect(caller == alice && callee == bob && sides == .initiator)
        guard case .invite(_, _, _, _, let farmSides) = EdgeDialogObserver.event(for: Self.invite, fromFarm: true) else {
            Issue.record("no invite event"); return
        }
        #expect(farmSides == .recipient)
    }

    @Test func prackDoesNotConfirmAnEarlyDialog() throws {
        var tracker = DialogStateTracker()
        func feed(_ m: SIPMessage, farm: Bool = true) -> [DialogInfoUpdate] {
            guard let e = EdgeDialogObserver.event(for: m, fromFarm: farm) else { return [] }
            return tracker.apply(e, now: t0)
        }
        _ = feed(Self.invite)
        _ = feed(Self.response(183, method: "INVITE"))
        #expect(EdgeDialogObserver.event(for: Self.response(200, method: "PRACK"), fromFarm: false) == nil)
        _ = feed(Self.response(200, method: "PRACK"))
        #expect(tracker.document(for: bob).entityState == .early)
        // A re-INVITE (To tag) starts nothing; the real 200 to the INVITE confirms.
        let reinvite = Self.message([
            "INVITE sip:bob@example.com SIP/2.0", "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKi2",
            "From: <sip:alice@example.com>;tag=ft", "To: <sip:bob@example.com>;tag=tt", "Call-ID: obs-2", "CSeq: 3 INVITE",
            "Max-Forwards: 70",
        ])
        #expect(EdgeDialogObserver.event(for: reinvite, fromFarm: true) == nil)
        _ = feed(Self.response(200, method: "INVITE"))
        #expect(tracker.document(for: bob).entityState == .confirmed)
    }

    @Test func unchangedDialogStateSendsNoSecondNotify() throws {
        var table = SubscriptionTable()
        table.settings.notifyIntervalMilliseconds = 0
        _ = table.receiveSubscribe(F.subscribe(event: "dialog"), from: F.phone, now: t0)
        var tracker = DialogStateTracker()
        _ = tracker.apply(.invite(callID: "u", fromTag: "f", caller: alice, callee: bob), now: t0)
        let ringing = try #require(doc(tracker.apply(.response(callID: "u", toTag: "t", status: 180), now: t0), bob))
        #expect(F.notifies(table.stateChanged(bob, package: .dialog, content: .dialogInfo(ringing), now: t0 + 10)).count == 1)
        // The same 180 seen again (relayed upstream): same document, no NOTIFY.
        let again = try #require(doc(tracker.apply(.response(callID: "u", toTag: "t", status: 180), now: t0), bob))
        #expect(F.notifies(table.stateChanged(bob, package: .dialog, content: .dialogInfo(again), now: t0 + 20)).isEmpty)
    }
}
