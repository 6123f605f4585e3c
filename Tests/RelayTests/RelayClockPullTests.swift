import Testing
@testable import Relay

/// The relay clock pulls data plane reports for due calls only (issue 4): nothing is pushed per second, yet a
/// call whose media flows lives, a quiet one ends on time, and `query`/`delete`/`statistics` show fresh counters.
@Suite struct RelayClockPullTests {
    typealias F = SessionsFixtures

    private static func handler(_ table: SessionTable) -> NGCommandHandler<ScriptedMediaPlaneExecutor> {
        NGCommandHandler(sessions: table, executor: ScriptedMediaPlaneExecutor())
    }

    /// The RTP stream of each tag's first media section.
    private static func rtpStreams(_ handler: NGCommandHandler<ScriptedMediaPlaneExecutor>,
                                   _ callID: String = "call-1") throws -> [String: MediaStreamID] {
        var result: [String: MediaStreamID] = [:]
        for monologue in try handler.sessions.query(callID: callID).monologues {
            if let stream = monologue.medias.first?.streams.first(where: { $0.kind == .rtp }) {
                result[monologue.tag] = stream.id
            }
        }
        return result
    }

    /// Ticks once a second from `from` through `through`, with media on `sending` until `mediaUntil`; returns the
    /// second of the first event, if any, and the events.
    private static func run(_ handler: NGCommandHandler<ScriptedMediaPlaneExecutor>, sending: [MediaStreamID],
                            mediaUntil: Int64, from: Int64, through: Int64) -> (second: Int64, events: [SessionEvent])? {
        for second in from...through {
            if second <= mediaUntil {
                for stream in sending { handler.executor.receive(on: stream, at: F.at(second)) }
            }
            let outcome = handler.tick(at: F.at(second))
            if !outcome.events.isEmpty { return (second, outcome.events) }
        }
        return nil
    }

    @Test func flowingMediaKeepsTheCallAliveWithOnePullPerTimeout() throws {
        var table = F.table(timeout: 60)
        _ = try F.establishedCall(&table, at: 0)
        let handler = Self.handler(table)
        let rtp = try Self.rtpStreams(handler)
        let streamA = try #require(rtp["A"])
        let streamB = try #require(rtp["B"])
        let sending = [streamA, streamB]
        let streamCount = try handler.sessions.query(callID: "call-1").monologues
            .flatMap { $0.medias.flatMap(\.streams) }.count
        #expect(Self.run(handler, sending: sending, mediaUntil: 600, from: 1, through: 600) == nil)
        #expect(handler.sessions.callCount == 1)
        #expect(handler.executor.fullWalks == 0)
        // Due at 60, 120, ... 600: ten pulls of the call's streams in ten minutes, not one per stream per second.
        #expect(handler.executor.pulled.count == 10 * streamCount)
        // Media stops after t=600: the call ends exactly `timeout` later.
        let ended = try #require(Self.run(handler, sending: sending, mediaUntil: 600, from: 601, through: 700))
        #expect(ended.second == 660)
        #expect(ended.events == [.callEnded(callID: "call-1", reason: .timeout)])
    }

    @Test func ticksWithNothingDuePullNothing() throws {
        var table = F.table(interfaces: [SessionsDeadlineTests.wideInterface], timeout: 60)
        for index in 0..<200 { _ = try F.establishedCall(&table, callID: "c\(index)", at: Int64(index % 20)) }
        let handler = Self.handler(table)
        for second in 1...59 as ClosedRange<Int64> { #expect(handler.tick(at: F.at(second)).events.isEmpty) }
        #expect(handler.executor.pulled.isEmpty)
        // At 60 the ten calls set up at t=0 are due: only their streams are pulled (and, silent, they end).
        let outcome = handler.tick(at: F.at(60))
        #expect(outcome.events.count == 10)
        #expect(handler.executor.pulled.count == 10 * 4)
        #expect(handler.executor.fullWalks == 0)
    }

    @Test func mediaThatStopsEndsTheCallOnTime() throws {
        var table = F.table(timeout: 60)
        _ = try F.establishedCall(&table, at: 0)
        let handler = Self.handler(table)
        let rtp = try Self.rtpStreams(handler)
        let streamA = try #require(rtp["A"])
        let ended = try #require(Self.run(handler, sending: [streamA], mediaUntil: 30, from: 1, through: 200))
        #expect(ended.second == 90)
        #expect(ended.events == [.callEnded(callID: "call-1", reason: .timeout)])
    }

    @Test func aRecvonlySideNeverSendingDoesNotEndTheCall() throws {
        var table = F.table(timeout: 60, silentTimeout: 600)
        _ = try table.offer(callID: "call-1", fromTag: "A", media: [F.audio("10.1.1.1", 5000)], at: F.at(0))
        _ = try table.answer(callID: "call-1", fromTag: "A", toTag: "B",
                             media: [F.audio("192.0.2.20", 6000, direction: .recvonly)], at: F.at(0))
        let handler = Self.handler(table)
        let rtp = try Self.rtpStreams(handler)
        // Only A sends; B said recvonly, so its silence is judged by silent-timeout and A's media keeps the call.
        let streamA = try #require(rtp["A"])
        let ended = try #require(Self.run(handler, sending: [streamA], mediaUntil: 200, from: 1, through: 400))
        #expect(ended.second == 260)
        #expect(ended.events == [.callEnded(callID: "call-1", reason: .timeout)])
    }

    /// A call put on hold both ways (`inactive` SDPs), timeout 60 s, silent-timeout 300 s.
    static func heldCallHandler() throws -> NGCommandHandler<ScriptedMediaPlaneExecutor> {
        var table = F.table(timeout: 60, silentTimeout: 300)
        _ = try table.offer(callID: "call-1", fromTag: "A", media: [F.audio("10.1.1.1", 5000, direction: .inactive)],
                            at: F.at(0))
        _ = try table.answer(callID: "call-1", fromTag: "A", toTag: "B",
                             media: [F.audio("192.0.2.20", 6000, direction: .inactive)], at: F.at(0))
        return Self.handler(table)
    }

    @Test func heldCallLivesWhileMediaFlowsThenSilentTimesOut() throws {
        let handler = try Self.heldCallHandler()
        let rtp = try Self.rtpStreams(handler)
        let streamA = try #require(rtp["A"])
        let streamB = try #require(rtp["B"])
        // Both sides send despite `inactive` (no side is silent): the call lives while they do.
        let ended = try #require(Self.run(handler, sending: [streamA, streamB], mediaUntil: 400, from: 1, through: 900))
        #expect(ended.second == 700)
        #expect(ended.events == [.callEnded(callID: "call-1", reason: .silentTimeout)])
        #expect(handler.executor.fullWalks == 0)
    }

    @Test func heldCallWithOneSideSendingEndsWhenTheOtherWasSilentLongEnough() throws {
        let handler = try Self.heldCallHandler()
        let streamB = try #require(try Self.rtpStreams(handler)["B"])
        // Only B sends: A has been silent since the answer, and one-sided silence ends the call at t=300.
        let ended = try #require(Self.run(handler, sending: [streamB], mediaUntil: 400, from: 1, through: 900))
        #expect(ended.second == 300)
        #expect(ended.events == [.callEnded(callID: "call-1", reason: .silentTimeout)])
    }

    @Test func queryAndDeleteShowFreshCountersWithoutATick() throws {
        var table = F.table(timeout: 60)
        _ = try F.establishedCall(&table, at: 0)
        let handler = Self.handler(table)
        let rtp = try Self.rtpStreams(handler)
        let streamA = try #require(rtp["A"])
        handler.executor.state[streamA, default: .init()].learned = F.endpoint("198.18.5.5", 41000)
        for second in 1...3 as ClosedRange<Int64> { handler.executor.receive(on: streamA, at: F.at(second)) }

        _ = handler.process(["command": .text("query"), "call-id": .text("call-1")], at: F.at(4))
        #expect(Self.rtpPackets(handler.pendingExtra.dictionary) == 3)
        let snapshot = try handler.sessions.query(callID: "call-1")
        let stream = try #require(snapshot.monologues.first { $0.tag == "A" }?.medias.first?.streams.first { $0.id == streamA })
        #expect(stream.learnedEndpoint == F.endpoint("198.18.5.5", 41000))
        #expect(stream.lastPacket == F.at(3))

        handler.executor.receive(on: streamA, at: F.at(5))
        handler.executor.receive(on: streamA, at: F.at(6))
        _ = handler.process(["command": .text("delete"), "call-id": .text("call-1")], at: F.at(7))
        #expect(Self.rtpPackets(handler.pendingExtra.dictionary) == 5)
        #expect(handler.executor.fullWalks == 0)
    }

    @Test func statisticsRefreshesEveryStreamOnDemand() throws {
        var table = F.table(interfaces: [SessionsDeadlineTests.wideInterface], timeout: 60)
        _ = try F.establishedCall(&table, callID: "c1", at: 0)
        _ = try F.establishedCall(&table, callID: "c2", at: 0)
        let handler = Self.handler(table)
        for callID in ["c1", "c2"] {
            for stream in try Self.rtpStreams(handler, callID).values {
                handler.executor.receive(on: stream, at: F.at(1))
            }
        }
        #expect(handler.sessions.statistics().relayedPackets == 0)
        _ = handler.process(["command": .text("statistics")], at: F.at(2))
        #expect(handler.executor.fullWalks == 1)
        #expect(handler.sessions.statistics().relayedPackets == 4)
        #expect(handler.sessions.statistics().relayedBytes == 4 * 172)
    }

    @Test func peekingTheDeadlinesTakesNothing() {
        var queue = CallDeadlineQueue()
        queue.schedule("b", at: F.at(20))
        queue.schedule("a", at: F.at(10))
        queue.schedule("c", at: F.at(30))
        queue.schedule("a", at: F.at(40))
        queue.schedule("a", at: F.at(10))  // two live-looking heap entries for "a"
        #expect(queue.peekDue(now: F.at(5)).isEmpty)
        #expect(queue.peekDue(now: F.at(25)) == ["a", "b"])
        #expect(queue.peekDue(now: F.at(25)) == ["a", "b"])
        let taken = queue.takeDue(now: F.at(25))
        #expect(taken == ["a", "b"])
        #expect(queue.peekDue(now: F.at(25)).isEmpty)
        #expect(queue.peekDue(now: F.at(30)) == ["c"])
    }

    @Test func kernelCountersFoldOnlyIntoTheirOwnLeg() throws {
        let local = try #require(SocketEndpoint(address: "10.0.0.10", port: 30000))
        let peer = try #require(SocketEndpoint(address: "10.1.1.1", port: 5000))
        var leg = KernelLegCounters(key: KernelStreamKey(peer: peer, local: local), mark: 3 << 16,
                                    counters: KernelStreamCounters(packets: 0, bytes: 0), lastChange: nil)
        // A mark that now names another leg (a different relay port) is not taken.
        let foreign = leg.fold(KernelStreamCounters(packets: 9, bytes: 900), localPort: 30002, at: F.at(1))
        #expect(!foreign)
        #expect(leg.counters.packets == 0 && leg.lastChange == nil)
        let moved = leg.fold(KernelStreamCounters(packets: 5, bytes: 500), localPort: 30000, at: F.at(2))
        #expect(moved)
        #expect(leg.counters == KernelStreamCounters(packets: 5, bytes: 500) && leg.lastChange == F.at(2))
        // No new packets: the last activity stays where it was, so an idle offloaded stream still times out.
        let idle = leg.fold(KernelStreamCounters(packets: 5, bytes: 500), localPort: 30000, at: F.at(3))
        #expect(idle)
        #expect(leg.lastChange == F.at(2))
    }

    private static func rtpPackets(_ reply: NGDictionary) -> Int64? {
        reply["totals"]?.dictValue?["RTP"]?.dictValue?["packets"]?.integerValue
    }
}
