import Testing
@testable import Signaling

@Suite struct DispatcherAlgorithmTests {
    typealias F = DispatcherFixture

    @Test func roundRobinRotatesAndListsTheRestAsFailover() throws {
        var dispatcher = try F.dispatcher([1, 2, 3])
        let first = dispatcher.select(set: "fs", keys: .init(callID: "a"), now: F.t0)
        #expect(first.candidates.map(\.id) == [F.id(1), F.id(2), F.id(3)])
        let second = dispatcher.select(set: "fs", keys: .init(callID: "b"), now: F.t0)
        #expect(second.candidates.map(\.id) == [F.id(2), F.id(3), F.id(1)])
        #expect(F.first(&dispatcher) == F.id(3))
        #expect(F.first(&dispatcher) == F.id(1))
    }

    @Test func roundRobinSkipsInactiveDestinations() throws {
        var dispatcher = try F.dispatcher([1, 2, 3])
        F.takeDown(&dispatcher, 2)
        var picks: [DispatcherDestinationID?] = []
        for _ in 0..<4 { picks.append(F.first(&dispatcher)) }
        #expect(!picks.contains(F.id(2)))
        #expect(dispatcher.select(set: "fs", keys: .init(callID: "z"), now: F.t0).candidates.count == 2)
    }

    @Test func smoothWeightedInterleavesLikeNginx() throws {
        var dispatcher = try F.dispatcher([1, 2, 3], weights: [5, 1, 1], algorithm: .weighted)
        let picks = (0..<7).map { _ in F.first(&dispatcher) }
        #expect(picks == [F.id(1), F.id(1), F.id(2), F.id(1), F.id(3), F.id(1), F.id(1)])
        let candidates = dispatcher.select(set: "fs", keys: .init(callID: "a"), now: F.t0).candidates
        #expect(candidates.count == 3)
        #expect(Set(candidates.map(\.id)) == [F.id(1), F.id(2), F.id(3)])
    }

    @Test func weightedDistributionOverTenThousandPicks() throws {
        var dispatcher = try F.dispatcher([1, 2, 3], weights: [3, 2, 1], algorithm: .weighted)
        var counts: [DispatcherDestinationID: Int] = [:]
        for _ in 0..<10_000 { counts[F.first(&dispatcher) ?? F.id(0), default: 0] += 1 }
        #expect(abs((counts[F.id(1)] ?? 0) - 5_000) <= 10)
        #expect(abs((counts[F.id(2)] ?? 0) - 3_333) <= 10)
        #expect(abs((counts[F.id(3)] ?? 0) - 1_667) <= 10)
    }

    @Test func randomUsesTheInjectedGeneratorAndSpreadsEvenly() throws {
        var a = try F.dispatcher([1, 2, 3, 4], algorithm: .random, seed: 42)
        var b = try F.dispatcher([1, 2, 3, 4], algorithm: .random, seed: 42)
        var counts: [DispatcherDestinationID: Int] = [:]
        for i in 0..<10_000 {
            let selection = a.select(set: "fs", keys: .init(callID: "\(i)"), now: F.t0)
            #expect(selection.candidates.count == 4)
            let same = b.select(set: "fs", keys: .init(callID: "\(i)"), now: F.t0)
            #expect(selection == same)
            counts[selection.candidates[0].id, default: 0] += 1
        }
        for n in 1...4 { #expect(abs((counts[F.id(n)] ?? 0) - 2_500) < 300) }
    }

    @Test func leastCallsFollowsTrackedDialogs() throws {
        var dispatcher = try F.dispatcher([1, 2, 3], algorithm: .leastCalls)
        dispatcher.callStarted(on: F.id(1), callID: "c1")
        dispatcher.callStarted(on: F.id(1), callID: "c2")
        dispatcher.callStarted(on: F.id(2), callID: "c3")
        #expect(dispatcher.select(set: "fs", keys: .init(callID: "n"), now: F.t0).candidates.map(\.id)
            == [F.id(3), F.id(2), F.id(1)])
        dispatcher.callStarted(on: F.id(3), callID: "c4")
        dispatcher.callStarted(on: F.id(3), callID: "c5")
        dispatcher.callEnded(callID: "c1")
        dispatcher.callEnded(callID: "c2")
        #expect(dispatcher.activeCalls(on: F.id(1)) == 0)
        #expect(F.first(&dispatcher) == F.id(1))
        // A Call-ID re-placed elsewhere (failover) moves; ending twice is harmless.
        dispatcher.callStarted(on: F.id(1), callID: "c3")
        #expect(dispatcher.activeCalls(on: F.id(2)) == 0)
        dispatcher.callEnded(callID: "c3")
        dispatcher.callEnded(callID: "c3")
        #expect(dispatcher.activeCalls(on: F.id(1)) == 0)
    }

    @Test func leastCallsIsRelativeToWeight() throws {
        var dispatcher = try F.dispatcher([1, 2], weights: [4, 1], algorithm: .leastCalls)
        for i in 0..<3 { dispatcher.callStarted(on: F.id(1), callID: "a\(i)") }
        dispatcher.callStarted(on: F.id(2), callID: "b")
        // 3/4 < 1/1
        #expect(F.first(&dispatcher) == F.id(1))
    }

    @Test func hashAlgorithmsAreStickyOnTheirKey() throws {
        var dispatcher = try F.dispatcher([1, 2, 3, 4, 5], algorithm: .hashCallID)
        let byCallID = F.first(&dispatcher, keys: .init(callID: "abc@host"))
        for _ in 0..<5 { #expect(F.first(&dispatcher, keys: .init(callID: "abc@host")) == byCallID) }

        var users: Set<DispatcherDestinationID?> = []
        for i in 0..<20 {
            users.insert(F.first(&dispatcher, keys: .init(callID: "call-\(i)", requestUser: "conf-3000"),
                                 algorithm: .hashRequestUser))
        }
        #expect(users.count == 1)

        let lower = F.first(&dispatcher, keys: .init(callID: "1", domain: "Tenant.Example"), algorithm: .hashDomain)
        let upper = F.first(&dispatcher, keys: .init(callID: "2", domain: "tenant.example"), algorithm: .hashDomain)
        #expect(lower == upper)

        // Without a user the Call-ID is hashed.
        #expect(F.first(&dispatcher, keys: .init(callID: "abc@host"), algorithm: .hashRequestUser) == byCallID)
    }

    @Test func unknownSetAndAllDownGiveAnEmptySelectionWithTheConfiguredStatus() throws {
        var dispatcher = try F.dispatcher([1], noDestinationStatus: 503)
        #expect(dispatcher.select(set: "nope", keys: .init(callID: "a"), now: F.t0).noDestinationStatus == 503)
        F.takeDown(&dispatcher, 1)
        let selection = dispatcher.select(set: "fs", keys: .init(callID: "a"), now: F.t0)
        #expect(selection.isEmpty)
        #expect(selection.noDestinationStatus == 503)
    }

    @Test func priorityTiersComeInOrder() throws {
        let set = DispatcherSetConfiguration(name: "fs", algorithm: .roundRobin,
                                             destinations: F.destinations([1, 2, 3], priority: [1: 1]))
        var dispatcher = try Dispatcher(configuration: .init(sets: [set]), now: F.t0)
        for i in 0..<4 {
            let ids = dispatcher.select(set: "fs", keys: .init(callID: "\(i)"), now: F.t0).candidates.map(\.id)
            #expect(ids.last == F.id(1))
        }
    }
}
