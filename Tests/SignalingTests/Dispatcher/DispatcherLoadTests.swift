import Testing
@testable import Signaling

@Suite struct DispatcherLoadTests {
    typealias F = DispatcherFixture

    @Test func scoreFormula() {
        #expect(FreeSWITCHLoad.score(heartbeat: .init(sessionCount: 100, maxSessions: 1000, idleCPU: 50),
                                     callsSinceHeartbeat: 0, isStale: false, activeCalls: 0,
                                     configuredMaxSessions: nil, defaultMaxSessions: 1000) == 450)
        // Configured max caps the reported one; our own calls since the heartbeat count.
        #expect(FreeSWITCHLoad.score(heartbeat: .init(sessionCount: 100, maxSessions: 1000, idleCPU: 100),
                                     callsSinceHeartbeat: 10, isStale: false, activeCalls: 0,
                                     configuredMaxSessions: 300, defaultMaxSessions: 1000) == 190)
        // Overloaded box and out-of-range CPU are clamped.
        #expect(FreeSWITCHLoad.score(heartbeat: .init(sessionCount: 1200, maxSessions: 1000, idleCPU: 150),
                                     callsSinceHeartbeat: 0, isStale: false, activeCalls: 0,
                                     configuredMaxSessions: nil, defaultMaxSessions: 1000) == 0)
        // Stale: live calls against the best known capacity.
        #expect(FreeSWITCHLoad.score(heartbeat: .init(sessionCount: 1, maxSessions: 500, idleCPU: 1),
                                     callsSinceHeartbeat: 0, isStale: true, activeCalls: 20,
                                     configuredMaxSessions: nil, defaultMaxSessions: 1000) == 480)
    }

    @Test func heartbeatsDriveTheChoiceAndStaleDataFallsBackToCallCounts() throws {
        var dispatcher = try F.dispatcher([1, 2, 3], algorithm: .freeswitchLoad)
        dispatcher.heartbeat(.init(sessionCount: 100, maxSessions: 1000, idleCPU: 50), from: F.id(1), now: F.t0)
        dispatcher.heartbeat(.init(sessionCount: 500, maxSessions: 1000, idleCPU: 100), from: F.id(2), now: F.t0)
        dispatcher.heartbeat(.init(sessionCount: 0, maxSessions: 200, idleCPU: 100), from: F.id(3), now: F.t0)
        // 450, 500, 200
        #expect(dispatcher.select(set: "fs", keys: .init(callID: "a"), now: F.t0).candidates.map(\.id)
            == [F.id(2), F.id(1), F.id(3)])
        // 60 calls placed on box 2 since its heartbeat bring it to 440 < 450.
        for i in 0..<60 { dispatcher.callStarted(on: F.id(2), callID: "c\(i)") }
        #expect(F.first(&dispatcher) == F.id(1))

        // Box 1 and 3 keep reporting; box 2 goes silent for more than 3 × 20 s: it is judged on
        // 1000 - 60 live calls = 940 and wins.
        let later = F.t0 + 61_000
        dispatcher.heartbeat(.init(sessionCount: 100, maxSessions: 1000, idleCPU: 50), from: F.id(1), now: later)
        dispatcher.heartbeat(.init(sessionCount: 0, maxSessions: 200, idleCPU: 100), from: F.id(3), now: later)
        #expect(dispatcher.select(set: "fs", keys: .init(callID: "b"), now: later).first?.id == F.id(2))
        let snapshot = dispatcher.snapshot(now: later)
        let box2 = try #require(snapshot.destinations.first { $0.id == F.id(2) })
        #expect(box2.heartbeatIsStale)
        #expect(box2.loadScore == 940)
        #expect(box2.heartbeatAgeMilliseconds == 61_000)
    }

    @Test func eslHeartbeatFlowsIntoTheDispatcher() throws {
        var server = FakeESLServer()
        var client = ESLClientState(password: "ClueCon")
        var toClient = server.greeting()
        while !toClient.isEmpty {
            var toServer: [UInt8] = []
            for case .send(let bytes) in client.receive(toClient) { toServer += bytes }
            toClient = server.receive(toServer)
        }
        var dispatcher = try F.dispatcher([1, 2], algorithm: .freeswitchLoad)
        dispatcher.heartbeat(.init(sessionCount: 10, maxSessions: 1000, idleCPU: 90), from: F.id(1), now: F.t0)
        let bytes = try #require(server.heartbeat(sessionCount: 10, maxSessions: 1000, idleCPU: 99))
        for case .heartbeat(let beat) in client.receive(bytes) { dispatcher.heartbeat(beat, from: F.id(2), now: F.t0) }
        #expect(F.first(&dispatcher) == F.id(2))
    }
}

@Suite struct DispatcherSessionLimitTests {
    typealias F = DispatcherFixture

    @Test func fullBoxesGoLastExceptForHashing() throws {
        var destinations = F.destinations([1, 2])
        destinations[0].attributes.maxSessions = 2
        let set = DispatcherSetConfiguration(name: "fs", algorithm: .roundRobin, destinations: destinations)
        var dispatcher = try Dispatcher(configuration: .init(sets: [set]), now: F.t0)
        dispatcher.callStarted(on: F.id(1), callID: "a")
        dispatcher.callStarted(on: F.id(1), callID: "b")
        for i in 0..<4 {
            #expect(dispatcher.select(set: "fs", keys: .init(callID: "\(i)"), now: F.t0).candidates.map(\.id)
                == [F.id(2), F.id(1)])
        }
        // A fresh heartbeat at its limit makes box 2 full too; both stay as candidates.
        dispatcher.heartbeat(.init(sessionCount: 10, maxSessions: 10, idleCPU: 90), from: F.id(2), now: F.t0)
        #expect(dispatcher.select(set: "fs", keys: .init(callID: "x"), now: F.t0).candidates.count == 2)
        // Hashing keeps its order regardless.
        let keys = DispatcherRequestKeys(callID: "k")
        let hashed = dispatcher.select(set: "fs", algorithm: .hashCallID, keys: keys, now: F.t0).candidates.map(\.id)
        dispatcher.callEnded(callID: "a")
        dispatcher.heartbeat(.init(sessionCount: 0, maxSessions: 10, idleCPU: 90), from: F.id(2), now: F.t0)
        #expect(dispatcher.select(set: "fs", algorithm: .hashCallID, keys: keys, now: F.t0).candidates.map(\.id) == hashed)
    }
}
