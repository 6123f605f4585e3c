import Testing
@testable import Signaling

@Suite struct DispatcherReloadTests {
    typealias F = DispatcherFixture

    private func configuration(_ numbers: [Int], algorithm: DispatcherAlgorithm = .roundRobin) -> DispatcherConfiguration {
        .init(sets: [DispatcherSetConfiguration(name: "fs", algorithm: algorithm, destinations: F.destinations(numbers))])
    }

    @Test func reloadKeepsStateOfRemainingAndDrainsRemovedWithCalls() throws {
        var dispatcher = try Dispatcher(configuration: configuration([1, 2, 3, 6]), now: F.t0)
        dispatcher.callStarted(on: F.id(1), callID: "c1")
        dispatcher.callStarted(on: F.id(3), callID: "c3")
        F.takeDown(&dispatcher, 2)
        try dispatcher.apply(configuration([1, 2, 4]), now: F.t0 + 1)

        #expect(dispatcher.state(of: F.id(2)) == .inactive)
        #expect(dispatcher.activeCalls(on: F.id(1)) == 1)
        #expect(dispatcher.state(of: F.id(4)) == .active)
        #expect(dispatcher.state(of: F.id(6)) == nil)  // removed without calls: gone
        let snapshot = dispatcher.snapshot(now: F.t0)
        let draining = try #require(snapshot.destinations.first { $0.id == F.id(3) })
        #expect(draining.isDraining)
        #expect(draining.activeCalls == 1)
        #expect(dispatcher.destination(ofCall: "c3") == F.id(3))
        #expect(!dispatcher.isSelectable(F.id(3)))
        for i in 0..<6 {
            let ids = dispatcher.select(set: "fs", keys: .init(callID: "\(i)"), now: F.t0).candidates.map(\.id)
            #expect(!ids.contains(F.id(3)))
        }
        // Draining boxes are not probed.
        for case .sendProbe(_, let destination, _) in dispatcher.advance(to: F.t0 + 1) { #expect(destination != F.id(3)) }

        dispatcher.callEnded(callID: "c3")
        #expect(dispatcher.state(of: F.id(3)) == nil)
        #expect(dispatcher.snapshot(now: F.t0).destinations.map(\.id) == [F.id(1), F.id(2), F.id(4)])
    }

    @Test func aDrainingBoxThatReturnsIsLiveAgain() throws {
        var dispatcher = try Dispatcher(configuration: configuration([1, 2]), now: F.t0)
        dispatcher.callStarted(on: F.id(2), callID: "c")
        try dispatcher.apply(configuration([1]), now: F.t0)
        #expect(!dispatcher.isSelectable(F.id(2)))
        try dispatcher.apply(configuration([1, 2]), now: F.t0)
        #expect(dispatcher.isSelectable(F.id(2)))
        #expect(dispatcher.activeCalls(on: F.id(2)) == 1)
    }

    @Test func invalidReloadChangesNothing() throws {
        var dispatcher = try Dispatcher(configuration: configuration([1, 2]), now: F.t0)
        var bad = configuration([1, 2])
        bad.sets[0].destinations[0].weight = 0
        #expect(throws: DispatcherConfigurationError.badWeight(set: "fs", uri: F.uri(1), weight: 0)) {
            try dispatcher.apply(bad, now: F.t0)
        }
        #expect(dispatcher.configuration == configuration([1, 2]))
    }

    @Test func weightedStateSurvivesReload() throws {
        var config = configuration([1, 2, 3], algorithm: .weighted)
        for index in config.sets[0].destinations.indices { config.sets[0].destinations[index].weight = [5, 1, 1][index] }
        var reloaded = try Dispatcher(configuration: config, now: F.t0)
        var straight = reloaded
        var a: [DispatcherDestinationID?] = [], b: [DispatcherDestinationID?] = []
        for i in 0..<7 {
            if i == 3 { try reloaded.apply(config, now: F.t0) }
            a.append(F.first(&reloaded))
            b.append(F.first(&straight))
        }
        #expect(a == b)
    }

    @Test func validationErrors() {
        func check(_ config: DispatcherConfiguration, _ error: DispatcherConfigurationError) {
            #expect(throws: error) { try config.validate() }
        }
        let good = DispatcherSetConfiguration(name: "fs", destinations: F.destinations([1]))
        check(.init(sets: [good, good]), .duplicateSet("fs"))
        check(.init(sets: [.init(name: "x", destinations: [.init(uri: "mailto:a@b")])]), .badURI(set: "x", uri: "mailto:a@b"))
        check(.init(sets: [.init(name: "x", destinations: [.init(uri: "sip:a:5060"), .init(uri: "sip:a:5060")])]),
              .duplicateDestination(set: "x", uri: "sip:a:5060"))
        check(.init(sets: [good], noDestinationStatus: 404), .badNoDestinationStatus(404))
        check(.init(sets: [.init(name: "x", destinations: F.destinations([1]),
                                 partitions: [.init(name: "p", domains: ["d"], primaries: [F.uri(9)])])]),
              .unknownPartitionMember(set: "x", partition: "p", uri: F.uri(9)))
        check(.init(sets: [.init(name: "x", destinations: [.init(uri: F.uri(1), attributes:
            .init(esl: .init(host: "h", password: "a\nb")))])]), .badESLAddress(set: "x", uri: F.uri(1)))
        check(.init(sets: [good], probing: .init(failureThreshold: 0)), .badProbing("failure threshold must be > 0"))
        #expect(DispatcherConfigurationError.duplicateSet("fs").description.contains("'fs'"))
    }
}
