import Testing
@testable import Relay

/// `silent-timeout` for one-sided silence (issue 3: "one in which only one side is silent gets silent-timeout"):
/// the session state machine on the injected clock, with data plane reports as the driver applies them.
@Suite struct SessionsSilentTimeoutTests {
    typealias F = SessionsFixtures

    /// The RTP and RTCP streams of the side tagged `tag` (its packets arrive on them).
    private func streams(_ table: SessionTable, _ callID: String, side tag: String) throws -> [MediaStreamSnapshot] {
        try table.query(callID: callID).monologues.filter { $0.tag == tag }.flatMap { $0.medias.flatMap(\.streams) }
    }

    private func report(_ table: inout SessionTable, _ streams: [MediaStreamSnapshot], at second: Int64) {
        for stream in streams {
            table.updateCounters(stream: stream.id, packets: UInt64(second), bytes: 0, errors: 0, lastPacket: F.at(second))
        }
    }

    @Test func oneSideSendingTheOtherSilentEndsWithSilentTimeout() throws {
        var table = F.table(timeout: 60, silentTimeout: 120)
        _ = try F.establishedCall(&table, at: 0)
        let caller = try #require(try streams(table, "call-1", side: "A").first { $0.kind == .rtp })
        var ended: [SessionEvent] = []
        var endedAt: Int64 = -1
        for second in stride(from: Int64(1), through: 200, by: 1) {
            report(&table, [caller], at: second)
            let outcome = table.tick(now: F.at(second))
            if !outcome.events.isEmpty {
                ended = outcome.events
                endedAt = second
                #expect(F.closed(outcome.actions).count == 4)
                break
            }
        }
        // B never sent: silent since the answer at t=0.
        #expect(endedAt == 120)
        #expect(ended == [.callEnded(callID: "call-1", reason: .silentTimeout)])
        #expect(table.statistics().endedCount(.silentTimeout) == 1)
        #expect(table.statistics().endedCount(.timeout) == 0)
        #expect(table.allocator(forInterface: "pub")?.usedCount == 0)
    }

    @Test func bothSidesQuietIsTimeoutEvenWhenSilentTimeoutIsShorter() throws {
        var table = F.table(timeout: 60, silentTimeout: 30)
        _ = try F.establishedCall(&table, at: 0)
        // Both sides go quiet together: that is "no media at all", judged by `timeout`. From t=30 the first side
        // to send again would end the call as silent-timeout, so it is looked at on each tick until then.
        #expect(table.deadlines.deadline(of: "call-1") == F.at(30))
        #expect(table.tick(now: F.at(30)).events.isEmpty)
        #expect(table.lastTickVisited == 1)
        #expect(table.deadlines.deadline(of: "call-1") == F.at(31))
        #expect(table.tick(now: F.at(59)).events.isEmpty)
        #expect(table.tick(now: F.at(60)).events == [.callEnded(callID: "call-1", reason: .timeout)])
    }

    @Test func silentTimeoutShorterThanTimeoutEndsAOneSidedCallFirst() throws {
        var table = F.table(timeout: 60, silentTimeout: 30)
        _ = try F.establishedCall(&table, at: 0)
        let callee = try streams(table, "call-1", side: "B")
        report(&table, callee, at: 10)
        // Deadline moves lazily; once the tick sees B active, A's silence (since t=0) decides at t=30.
        #expect(table.tick(now: F.at(29)).events.isEmpty)
        report(&table, callee, at: 29)
        #expect(table.tick(now: F.at(30)).events == [.callEnded(callID: "call-1", reason: .silentTimeout)])
    }

    @Test func rtcpAloneKeepsASideFromBeingSilent() throws {
        var table = F.table(timeout: 60, silentTimeout: 100)
        _ = try F.establishedCall(&table, at: 0)
        let caller = try streams(table, "call-1", side: "A")
        let callee = try streams(table, "call-1", side: "B")
        let callerRTP = try #require(caller.first { $0.kind == .rtp })
        let calleeRTCP = try #require(callee.first { $0.kind == .rtcp })
        for second in stride(from: Int64(5), through: 300, by: 5) {
            report(&table, [callerRTP, calleeRTCP], at: second)
            #expect(table.tick(now: F.at(second)).events.isEmpty, "t=\(second)")
        }
        #expect(table.callCount == 1)
    }

    @Test func holdSideCountsAsSilentToo() throws {
        var table = F.table(timeout: 60, silentTimeout: 600)
        // A holds with music (sendonly), B answers recvonly and never sends: A's side still sends.
        _ = try table.offer(callID: "h", fromTag: "A", media: [F.audio("10.1.1.1", 5000, direction: .sendonly)], at: F.at(0))
        _ = try table.answer(callID: "h", fromTag: "A", toTag: "B",
                             media: [F.audio("192.0.2.20", 6000, direction: .recvonly)], at: F.at(0))
        let music = try #require(try streams(table, "h", side: "A").first { $0.kind == .rtp })
        var endedAt: Int64 = -1
        for second in stride(from: Int64(10), through: 700, by: 10) {
            report(&table, [music], at: second)
            if table.tick(now: F.at(second)).events == [.callEnded(callID: "h", reason: .silentTimeout)] {
                endedAt = second
                break
            }
        }
        #expect(endedAt == 600)
    }

    @Test func signallingRestartsTheSilence() throws {
        var table = F.table(timeout: 60, silentTimeout: 100)
        _ = try F.establishedCall(&table, at: 0)
        let caller = try #require(try streams(table, "call-1", side: "A").first { $0.kind == .rtp })
        for second in stride(from: Int64(10), through: 90, by: 10) {
            report(&table, [caller], at: second)
            #expect(table.tick(now: F.at(second)).events.isEmpty)
        }
        // A re-INVITE at t=90 counts as activity of both sides (as for `timeout`).
        _ = try table.offer(callID: "call-1", fromTag: "A", media: [F.audio("10.1.1.1", 5000)], at: F.at(90))
        _ = try table.answer(callID: "call-1", fromTag: "A", toTag: "B", media: [F.audio("192.0.2.20", 6000)], at: F.at(90))
        for second in stride(from: Int64(100), through: 180, by: 10) {
            report(&table, [caller], at: second)
            #expect(table.tick(now: F.at(second)).events.isEmpty, "t=\(second)")
        }
        report(&table, [caller], at: 190)
        #expect(table.tick(now: F.at(190)).events == [.callEnded(callID: "call-1", reason: .silentTimeout)])
    }

    @Test func unansweredCallIsNotJudgedBySilence() throws {
        var table = F.table(timeout: 60, silentTimeout: 30, offerTimeout: 300)
        _ = try table.offer(callID: "o", fromTag: "A", media: [F.audio("10.1.1.1", 5000)], at: F.at(0))
        let early = try #require(try streams(table, "o", side: "A").first { $0.kind == .rtp })
        for second in stride(from: Int64(10), through: 290, by: 10) {
            report(&table, [early], at: second)
            #expect(table.tick(now: F.at(second)).events.isEmpty, "t=\(second)")
        }
    }

    /// The deadline queue looks at a call only at its deadline: driven once a second with random traffic (each
    /// side alternates talking and quiet spells of random length), the table must end each call at exactly the
    /// second, and with the reason, that a plain model of the rules gives when checked every second.
    @Test(arguments: [UInt64(7), 8, 9, 10, 11, 12])
    func deadlinesNeverMissTheModelsMoment(seed: UInt64) throws {
        var random = SessionsPropertyTests.SplitMix(state: seed)
        let timeout: Int64 = 20
        let silentTimeout = Int64.random(in: 5...40, using: &random)
        var table = F.table(timeout: timeout, silentTimeout: silentTimeout)
        _ = try F.establishedCall(&table, at: 0)
        let sides = [try streams(table, "call-1", side: "A"), try streams(table, "call-1", side: "B")]
        var last: [Int64] = [0, 0]
        var talking = [true, true]
        var spellEnds: [Int64] = [0, 0]
        var ended: CallEndReason?
        for second in Int64(1)...1000 {
            for side in 0..<2 {
                if second >= spellEnds[side] {
                    talking[side].toggle()
                    spellEnds[side] = second + (talking[side] ? Int64.random(in: 1...30, using: &random)
                                                              : Int64.random(in: 1...50, using: &random))
                }
                if talking[side] && Int.random(in: 0..<4, using: &random) != 0 {
                    last[side] = second
                    report(&table, [sides[side][0]], at: second)
                }
            }
            let quietest = max(second - last[0], second - last[1])
            let liveliest = min(second - last[0], second - last[1])
            let expected: CallEndReason?
            if liveliest >= timeout {
                expected = .timeout
            } else if quietest >= silentTimeout && liveliest < silentTimeout {
                expected = .silentTimeout
            } else {
                expected = nil
            }
            let events = table.tick(now: F.at(second)).events
            #expect(events == (expected.map { [.callEnded(callID: "call-1", reason: $0)] } ?? []),
                    "t=\(second) quiet \(second - last[0]) / \(second - last[1]) silent-timeout \(silentTimeout)")
            if expected != nil || !events.isEmpty {
                ended = expected
                break
            }
        }
        #expect(ended != nil)
    }
}
