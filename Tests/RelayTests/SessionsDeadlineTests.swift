import Testing
@testable import Relay

/// The clock's deadline queue: a tick touches only due calls, and deadlines follow every change to a call.
@Suite struct SessionsDeadlineTests {
    typealias F = SessionsFixtures

    static let wideInterface = RelayInterface(
        name: "pub", address: F.address("203.0.113.10"), portMin: 10000, portMax: 60000)

    @Test func idleTickOverTenThousandCallsVisitsNothing() throws {
        var table = F.table(interfaces: [Self.wideInterface], timeout: 60)
        for index in 0..<10_000 {
            _ = try F.establishedCall(&table, callID: "c\(index)", at: Int64(index % 30))
        }
        #expect(table.callCount == 10_000)
        for second in [1, 10, 30, 59] as [Int64] {
            #expect(table.tick(now: F.at(second)).events.isEmpty)
            #expect(table.lastTickVisited == 0)
        }
        // At t=60 only the calls set up at t=0 (every 30th) are due: the work is O(due).
        let outcome = table.tick(now: F.at(60))
        #expect(outcome.events.count == 334)
        #expect(table.lastTickVisited == 334)
        #expect(table.callCount == 10_000 - 334)
        #expect(table.tick(now: F.at(60)).events.isEmpty)
        #expect(table.lastTickVisited == 0)
    }

    @Test func trafficMovesTheDeadlineLazily() throws {
        var table = F.table(timeout: 60)
        _ = try F.establishedCall(&table, at: 0)
        #expect(table.deadlines.deadline(of: "call-1") == F.at(60))
        let streams = try table.query(callID: "call-1").monologues.flatMap { $0.medias.flatMap(\.streams) }
        for stream in streams {
            table.updateCounters(stream: stream.id, packets: 1, bytes: 172, errors: 0, lastPacket: F.at(40))
        }
        // Reports do not touch the queue; the call is looked at on its old deadline and rescheduled.
        #expect(table.tick(now: F.at(60)).events.isEmpty)
        #expect(table.lastTickVisited == 1)
        #expect(table.deadlines.deadline(of: "call-1") == F.at(100))
        #expect(table.tick(now: F.at(99)).events.isEmpty)
        #expect(table.tick(now: F.at(100)).events == [.callEnded(callID: "call-1", reason: .timeout)])
        #expect(table.deadlines.count == 0)
    }

    @Test func reAnswerThatStartsMediaBringsTheDeadlineForward() throws {
        var table = F.table(timeout: 60, silentTimeout: 600)
        _ = try table.offer(callID: "h", fromTag: "A", media: [F.audio("10.1.1.1", 5000, direction: .inactive)], at: F.at(0))
        _ = try table.answer(callID: "h", fromTag: "A", toTag: "B",
                             media: [F.audio("192.0.2.20", 6000, direction: .inactive)], at: F.at(0))
        #expect(table.deadlines.deadline(of: "h") == F.at(600))
        _ = try table.offer(callID: "h", fromTag: "A", media: [F.audio("10.1.1.1", 5000)], at: F.at(10))
        _ = try table.answer(callID: "h", fromTag: "A", toTag: "B", media: [F.audio("192.0.2.20", 6000)], at: F.at(10))
        #expect(table.tick(now: F.at(69)).events.isEmpty)
        #expect(table.tick(now: F.at(70)).events == [.callEnded(callID: "h", reason: .timeout)])
    }

    @Test func delayedDeleteAndFinalTimeoutAreDeadlines() throws {
        var table = F.table(timeout: 600, finalTimeout: 100)
        _ = try F.establishedCall(&table, callID: "a", at: 0)
        _ = try F.establishedCall(&table, callID: "b", at: 0)
        #expect(table.deadlines.deadline(of: "a") == F.at(100))
        _ = try table.delete(callID: "b", deleteDelay: 5, at: F.at(20))
        #expect(table.deadlines.deadline(of: "b") == F.at(25))
        #expect(table.tick(now: F.at(25)).events == [.callEnded(callID: "b", reason: .deleted)])
        #expect(table.tick(now: F.at(100)).events == [.callEnded(callID: "a", reason: .finalTimeout)])
    }

    @Test func runningTotalsMatchAWalkOverTheCalls() throws {
        var table = F.table(interfaces: [Self.wideInterface], timeout: 60)
        for index in 0..<20 { _ = try F.establishedCall(&table, callID: "c\(index)", at: 0) }
        var expected: UInt64 = 0
        for index in 0..<20 {
            let streams = try table.query(callID: "c\(index)").monologues.flatMap { $0.medias.flatMap(\.streams) }
            for stream in streams {
                let packets = UInt64(index + 1)
                table.updateCounters(stream: stream.id, packets: packets, bytes: packets * 10, errors: 0, lastPacket: nil)
                table.updateCounters(stream: stream.id, packets: packets * 2, bytes: packets * 20, errors: 1, lastPacket: nil)
                if index >= 5 { expected += packets * 2 }
            }
        }
        for index in 0..<5 { _ = try table.delete(callID: "c\(index)", deleteDelay: 0, at: F.at(1)) }
        let statistics = table.statistics()
        #expect(statistics.relayedPackets == expected)
        #expect(statistics.relayedBytes == expected * 10)
        #expect(statistics.currentStreams == 15 * 4)
        #expect(statistics.relayedErrors == UInt64(15 * 4))
    }
}
