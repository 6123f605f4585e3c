import Testing
@testable import Relay

@Suite struct SessionsDeleteTests {
    typealias F = SessionsFixtures

    @Test func deleteFreesEveryPort() throws {
        var table = F.table()
        _ = try F.establishedCall(&table)
        #expect(table.allocator(forInterface: "pub")?.usedCount == 4)
        let (snapshot, outcome) = try table.delete(callID: "call-1", at: F.at(10))
        #expect(snapshot.callID == "call-1")
        #expect(F.removed(outcome.actions).count == 2)
        #expect(F.closed(outcome.actions).count == 4)
        #expect(outcome.events == [.callEnded(callID: "call-1", reason: .deleted)])
        let allocator = try #require(table.allocator(forInterface: "pub"))
        #expect(allocator.freeCount == allocator.capacity)
        #expect(table.callCount == 0)
        #expect(table.statistics().endedCount(.deleted) == 1)
        // Removals come before closes.
        let firstClose = outcome.actions.firstIndex { if case .closePort = $0 { true } else { false } } ?? 0
        let lastRemove = outcome.actions.lastIndex { if case .removeForwarding = $0 { true } else { false } } ?? 0
        #expect(lastRemove < firstClose)
    }

    @Test func deleteDelayKeepsCallAndPortsUntilItPasses() throws {
        var table = F.table(deleteDelay: 30)
        _ = try F.establishedCall(&table)
        let (_, outcome) = try table.delete(callID: "call-1", fromTag: nil, at: F.at(10))
        #expect(outcome.actions.isEmpty)
        #expect(try table.query(callID: "call-1").deleteAt == F.at(40))
        #expect(table.tick(now: F.at(39)).actions.isEmpty)
        #expect(table.allocator(forInterface: "pub")?.usedCount == 4)
        let expiry = table.tick(now: F.at(40))
        #expect(F.closed(expiry.actions).count == 4)
        #expect(expiry.events == [.callEnded(callID: "call-1", reason: .deleted)])
        #expect(table.allocator(forInterface: "pub")?.usedCount == 0)
        #expect(throws: SessionError.unknownCallID) { try table.query(callID: "call-1") }
    }

    @Test func explicitZeroDelayDeletesAtOnce() throws {
        var table = F.table(deleteDelay: 30)
        _ = try F.establishedCall(&table)
        let (_, outcome) = try table.delete(callID: "call-1", deleteDelay: 0, at: F.at(10))
        #expect(F.closed(outcome.actions).count == 4)
    }

    @Test func signallingCancelsPendingDelete() throws {
        var table = F.table(deleteDelay: 30)
        _ = try F.establishedCall(&table)
        _ = try table.delete(callID: "call-1", at: F.at(10))
        _ = try table.offer(callID: "call-1", fromTag: "A", toTag: "B", media: [F.audio("10.1.1.1", 5000)], at: F.at(20))
        #expect(table.tick(now: F.at(45)).events.isEmpty)
        #expect(table.callCount == 1)
    }

    @Test func deleteUnknownCallOrTag() throws {
        var table = F.table()
        #expect(throws: SessionError.callNotFoundOrTagsMismatch) { try table.delete(callID: "x", at: F.at(0)) }
        _ = try F.establishedCall(&table)
        #expect(throws: SessionError.callNotFoundOrTagsMismatch) {
            try table.delete(callID: "call-1", fromTag: "Q", toTag: "R", at: F.at(0))
        }
        #expect(SessionError.callNotFoundOrTagsMismatch.reason == "Call-ID not found or tags didn't match")
    }

    @Test func branchDeleteByToTagKeepsOtherDialogue() throws {
        var table = F.table()
        _ = try F.establishedCall(&table)
        // A second, independent dialogue in the same call (e.g. a transfer leg reusing the Call-ID).
        _ = try table.offer(callID: "call-1", fromTag: "C", media: [F.audio("10.1.1.3", 5200)],
                            options: OfferAnswerOptions(senderInterface: "priv", recipientInterface: "priv"), at: F.at(1))
        _ = try table.answer(callID: "call-1", fromTag: "C", toTag: "D", media: [F.audio("10.1.1.4", 5300)], at: F.at(1))
        let (_, outcome) = try table.delete(callID: "call-1", fromTag: "C", toTag: "D", at: F.at(2))
        #expect(outcome.events == [.branchEnded(callID: "call-1", tags: ["C", "D"], reason: .deleted)])
        #expect(F.closed(outcome.actions).allSatisfy { $0.interface == InterfaceID(1) })
        #expect(table.allocator(forInterface: "priv")?.usedCount == 0)
        #expect(table.allocator(forInterface: "pub")?.usedCount == 4)
        #expect(try table.query(callID: "call-1").monologues.map(\.tag) == ["A", "B"])
        // Deleting the last dialogue ends the call.
        let (_, last) = try table.delete(callID: "call-1", fromTag: "A", toTag: "B", at: F.at(3))
        #expect(last.events == [.callEnded(callID: "call-1", reason: .deleted)])
        #expect(table.callCount == 0)
    }

    @Test func deleteAfterUnansweredOfferWithToTagDeletesCall() throws {
        var table = F.table()
        _ = try table.offer(callID: "u", fromTag: "A", media: [F.audio("10.1.1.1", 5000)], at: F.at(0))
        let (_, outcome) = try table.delete(callID: "u", fromTag: "A", toTag: "never-seen", at: F.at(1))
        #expect(outcome.events == [.callEnded(callID: "u", reason: .deleted)])
    }
}
