import Testing
@testable import Relay

@Suite struct SessionsTimeoutTests {
    typealias F = SessionsFixtures

    private func streams(_ table: SessionTable, _ callID: String) throws -> [MediaStreamSnapshot] {
        try table.query(callID: callID).monologues.flatMap { $0.medias.flatMap(\.streams) }
    }

    @Test func timeoutWhenNoMediaFlows() throws {
        var table = F.table(timeout: 60)
        _ = try F.establishedCall(&table, at: 0)
        #expect(table.tick(now: F.at(59)).events.isEmpty)
        let outcome = table.tick(now: F.at(60))
        #expect(outcome.events == [.callEnded(callID: "call-1", reason: .timeout)])
        #expect(F.closed(outcome.actions).count == 4)
        #expect(table.statistics().endedCount(.timeout) == 1)
        #expect(table.allocator(forInterface: "pub")?.usedCount == 0)
    }

    @Test func countersKeepCallAlive() throws {
        var table = F.table(timeout: 60)
        _ = try F.establishedCall(&table, at: 0)
        let rtp = try #require(streams(table, "call-1").first { $0.kind == .rtp })
        table.updateCounters(stream: rtp.id, packets: 100, bytes: 17200, errors: 0, lastPacket: F.at(50))
        #expect(table.tick(now: F.at(100)).events.isEmpty)
        let outcome = table.tick(now: F.at(110))
        #expect(outcome.events == [.callEnded(callID: "call-1", reason: .timeout)])
    }

    @Test func silentTimeoutWhenNoStreamShouldCarryMedia() throws {
        var table = F.table(timeout: 60, silentTimeout: 600)
        _ = try table.offer(callID: "h", fromTag: "A", media: [F.audio("10.1.1.1", 5000, direction: .inactive)], at: F.at(0))
        _ = try table.answer(callID: "h", fromTag: "A", toTag: "B",
                             media: [F.audio("192.0.2.20", 6000, direction: .inactive)], at: F.at(0))
        #expect(table.tick(now: F.at(599)).events.isEmpty)
        #expect(table.tick(now: F.at(600)).events == [.callEnded(callID: "h", reason: .silentTimeout)])
        #expect(table.statistics().endedCount(.silentTimeout) == 1)
    }

    @Test func oneSidedHoldIsJudgedByTheSendingSide() throws {
        var table = F.table(timeout: 60, silentTimeout: 600)
        // A holds (sendonly, plays music); B answers recvonly: only A's streams should carry media.
        _ = try table.offer(callID: "h", fromTag: "A", media: [F.audio("10.1.1.1", 5000, direction: .sendonly)], at: F.at(0))
        _ = try table.answer(callID: "h", fromTag: "A", toTag: "B",
                             media: [F.audio("192.0.2.20", 6000, direction: .recvonly)], at: F.at(0))
        let aRTP = try #require(try table.query(callID: "h").monologues.first { $0.tag == "A" }?.medias[0].streams[0])
        table.updateCounters(stream: aRTP.id, packets: 10, bytes: 1720, errors: 0, lastPacket: F.at(100))
        #expect(table.tick(now: F.at(150)).events.isEmpty)  // B silent for 150 s: fine, it said recvonly
        #expect(table.tick(now: F.at(160)).events == [.callEnded(callID: "h", reason: .timeout)])
    }

    @Test func unansweredCallUsesOfferTimeout() throws {
        var table = F.table(timeout: 60, offerTimeout: 300)
        _ = try table.offer(callID: "o", fromTag: "A", media: [F.audio("10.1.1.1", 5000)], at: F.at(0))
        #expect(table.tick(now: F.at(120)).events.isEmpty)  // ringing longer than `timeout`
        #expect(table.tick(now: F.at(300)).events == [.callEnded(callID: "o", reason: .offerTimeout)])
    }

    @Test func finalTimeoutEndsEvenActiveCalls() throws {
        var table = F.table(timeout: 60, finalTimeout: 200)
        _ = try F.establishedCall(&table, at: 0)
        let ids = try streams(table, "call-1").map(\.id)
        for second in stride(from: Int64(10), through: 190, by: 10) {
            for id in ids { table.updateCounters(stream: id, packets: UInt64(second), bytes: 0, errors: 0, lastPacket: F.at(second)) }
            #expect(table.tick(now: F.at(second)).events.isEmpty)
        }
        #expect(table.tick(now: F.at(200)).events == [.callEnded(callID: "call-1", reason: .finalTimeout)])
        #expect(table.statistics().endedCount(.finalTimeout) == 1)
    }

    @Test func countersForDeletedStreamsAreIgnored() throws {
        var table = F.table()
        _ = try F.establishedCall(&table)
        let id = try #require(try streams(table, "call-1").first?.id)
        _ = try table.delete(callID: "call-1", at: F.at(1))
        table.updateCounters(stream: id, packets: 1, bytes: 1, errors: 0, lastPacket: F.at(2))
        table.updateLearnedEndpoint(stream: id, endpoint: F.endpoint("1.1.1.1", 1))
        #expect(table.callCount == 0)
    }
}
