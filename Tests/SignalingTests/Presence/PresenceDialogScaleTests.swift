import Testing
@testable import Signaling

/// The BLF tracker's cost must not grow with the number of calls in progress: documents are built only for the
/// AORs asked for, from that AOR's own calls, and tombstones expire from the front of a queue.
@Suite struct PresenceDialogScaleTests {
    let t0 = SIPInstant(milliseconds: 9_000_000)
    let alice = PresenceFixture.aor("alice")
    let bob = PresenceFixture.aor("bob")

    @Test func documentsOnlyForWantedAORsButStateForAll() throws {
        var tracker = DialogStateTracker()
        let none = tracker.apply(.invite(callID: "c1", fromTag: "ft", caller: alice, callee: bob), now: t0,
                                 wanted: { _ in false })
        #expect(none.isEmpty)
        let onlyBob = tracker.apply(.response(callID: "c1", toTag: "tt", status: 200), now: t0, wanted: { $0 == bob })
        #expect(onlyBob.map(\.aor) == [bob])
        #expect(onlyBob.first?.document.entityState == .confirmed)
        // Alice's state was kept although nobody asked for her document.
        #expect(tracker.document(for: alice).entityState == .confirmed)
        #expect(tracker.document(for: alice).dialogs.first?.direction == .initiator)
    }

    @Test func documentReadsOnlyTheAORsOwnCallsInOrder() {
        var tracker = DialogStateTracker()
        for index in 0..<2000 {
            let caller = PresenceFixture.aor("user\(index)")
            _ = tracker.apply(.invite(callID: "other-\(index)", fromTag: "f\(index)", caller: caller,
                                      callee: PresenceFixture.aor("callee\(index)")), now: t0, wanted: { _ in false })
        }
        _ = tracker.apply(.invite(callID: "b1", fromTag: "x", caller: alice, callee: bob), now: t0)
        _ = tracker.apply(.invite(callID: "b2", fromTag: "y", caller: alice, callee: bob), now: t0)
        #expect(tracker.document(for: bob).dialogs.map(\.callID) == ["b1", "b2"])
        #expect(tracker.trackedCalls == 2002)
        for index in 0..<2000 { _ = tracker.apply(.bye(callID: "other-\(index)"), now: t0, wanted: { _ in false }) }
        _ = tracker.apply(.bye(callID: "b1"), now: t0)
        #expect(tracker.trackedCalls == 1)
        #expect(tracker.callsByAOR.count == 2, "only alice and bob still have a call: \(tracker.callsByAOR.count)")
    }

    @Test func tombstonesIgnoreStrayEventsThenExpire() {
        var tracker = DialogStateTracker()
        _ = tracker.apply(.invite(callID: "t1", fromTag: "ft", caller: alice, callee: bob), now: t0)
        _ = tracker.apply(.bye(callID: "t1"), now: t0)
        _ = tracker.apply(.invite(callID: "t2", fromTag: "ft", caller: alice, callee: bob), now: t0 + 1000)
        _ = tracker.apply(.bye(callID: "t2"), now: t0 + 1000)
        tracker.advance(to: t0 + 30_000)
        // A retransmitted INVITE of a finished call does not bring it back.
        #expect(tracker.apply(.invite(callID: "t1", fromTag: "ft", caller: alice, callee: bob), now: t0 + 30_000).isEmpty)
        tracker.advance(to: t0 + tracker.tombstoneMilliseconds)
        #expect(tracker.tombstones["t1"] == nil)
        #expect(tracker.tombstones["t2"] != nil)
        tracker.advance(to: t0 + 1000 + tracker.tombstoneMilliseconds)
        #expect(tracker.tombstones.isEmpty)
        #expect(tracker.tombstoneQueue.isEmpty)
        #expect(!tracker.apply(.invite(callID: "t1", fromTag: "ft", caller: alice, callee: bob), now: t0 + 70_000).isEmpty)
    }
}
