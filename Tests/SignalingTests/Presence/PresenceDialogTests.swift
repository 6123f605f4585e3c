import Testing
@testable import Signaling

@Suite struct PresenceDialogTests {
    typealias F = PresenceFixture
    let t0 = SIPInstant(milliseconds: 9_000_000)
    let alice = PresenceFixture.aor("alice")
    let bob = PresenceFixture.aor("bob")

    func doc(_ updates: [DialogInfoUpdate], _ aor: AddressOfRecord) -> DialogInfoDocument? {
        updates.last { $0.aor == aor }?.document
    }

    @Test func earlyConfirmedTerminatedWithDirection() throws {
        var tracker = DialogStateTracker()
        _ = tracker.apply(.invite(callID: "call-1", fromTag: "ft", caller: alice, callee: bob), now: t0)
        let ringing = tracker.apply(.response(callID: "call-1", toTag: "tt", status: 180), now: t0)
        let bobDoc = try #require(doc(ringing, bob))
        #expect(bobDoc.entityState == .early)
        let xml = String(decoding: bobDoc.xml(version: 3), as: UTF8.self)
        #expect(xml.contains("version=\"3\" state=\"full\" entity=\"sip:bob@example.com\""))
        #expect(xml.contains("call-id=\"call-1\" local-tag=\"tt\" remote-tag=\"ft\" direction=\"recipient\""))
        #expect(xml.contains("<state>early</state>"))
        #expect(xml.contains("<remote><identity>sip:alice@example.com</identity></remote>"))
        let aliceXML = String(decoding: try #require(doc(ringing, alice)).xml(version: 0), as: UTF8.self)
        #expect(aliceXML.contains("local-tag=\"ft\" remote-tag=\"tt\" direction=\"initiator\""))

        let up = tracker.apply(.response(callID: "call-1", toTag: "tt", status: 200), now: t0)
        #expect(doc(up, bob)?.entityState == .confirmed)
        let down = tracker.apply(.bye(callID: "call-1"), now: t0)
        #expect(doc(down, bob)?.entityState == .terminated)
        #expect(String(decoding: try #require(doc(down, bob)).xml(version: 4), as: UTF8.self).contains("<state>terminated</state>"))
        #expect(tracker.document(for: bob).dialogs.isEmpty)
    }

    @Test func forkedCallWithCancelledBranchStaysConfirmed() throws {
        var tracker = DialogStateTracker()
        _ = tracker.apply(.invite(callID: "fork", fromTag: "ft", caller: alice, callee: bob), now: t0)
        _ = tracker.apply(.response(callID: "fork", toTag: "desk", status: 180), now: t0)
        _ = tracker.apply(.response(callID: "fork", toTag: "mobile", status: 183), now: t0)
        _ = tracker.apply(.response(callID: "fork", toTag: "mobile", status: 200), now: t0)
        let cancelled = tracker.apply(.response(callID: "fork", toTag: "desk", status: 487), now: t0)
        let bobDoc = try #require(doc(cancelled, bob))
        #expect(bobDoc.entityState == .confirmed)
        #expect(bobDoc.dialogs.map(\.state) == [.confirmed])
        #expect(bobDoc.dialogs.first?.localTag == "mobile")
        // A CANCEL crossing the 200 does not end the confirmed dialog either.
        #expect(doc(tracker.apply(.cancel(callID: "fork"), now: t0), bob)?.entityState == .confirmed)
    }

    @Test func lateEarlyDoesNotOverwriteTerminated() {
        var tracker = DialogStateTracker()
        _ = tracker.apply(.invite(callID: "c", fromTag: "ft", caller: alice, callee: bob), now: t0)
        _ = tracker.apply(.response(callID: "c", toTag: "a", status: 180), now: t0)
        _ = tracker.apply(.response(callID: "c", toTag: "b", status: 180), now: t0)
        let busy = tracker.apply(.response(callID: "c", toTag: "b", status: 486), now: t0)
        #expect(doc(busy, bob)?.dialogs.map(\.localTag) == ["a"])
        // Branch b's 180 retransmitted/reordered after its 486: ignored for that dialog.
        let late = tracker.apply(.response(callID: "c", toTag: "b", status: 180), now: t0)
        #expect(doc(late, bob)?.dialogs.map(\.localTag) == ["a"])
        _ = tracker.apply(.cancel(callID: "c"), now: t0)
        // The whole call is over: a stray 180 afterwards does not revive it.
        #expect(tracker.apply(.response(callID: "c", toTag: "a", status: 180), now: t0 + 10).isEmpty)
        #expect(tracker.document(for: bob).entityState == nil)
    }
}
