import Testing
@testable import Signaling

@Suite struct DispatcherFailoverTests {
    typealias F = DispatcherFixture

    @Test func walksCandidatesThenExhaustsWith500() throws {
        var dispatcher = try F.dispatcher([1, 2, 3])
        var failover = dispatcher.select(set: "fs", keys: .init(callID: "a"), now: F.t0).failover()
        #expect(failover.current?.id == F.id(1))
        #expect(failover.next(after: .response(503)).isTry(F.id(2)))
        #expect(failover.current?.id == F.id(2))
        #expect(failover.next(after: .timeout).isTry(F.id(3)))
        #expect(failover.next(after: .response(500)) == .exhausted(status: 500, reason: "No Destination available"))
        #expect(failover.next(after: .response(500)) == .exhausted(status: 500, reason: "No Destination available"))
    }

    @Test func calleeAnswersAreRelayedNotRetried() throws {
        var dispatcher = try F.dispatcher([1, 2])
        var failover = dispatcher.select(set: "fs", keys: .init(callID: "a"), now: F.t0).failover()
        #expect(failover.next(after: .response(486)) == .relayResponse)
        #expect(failover.next(after: .response(603)) == .relayResponse)
        #expect(failover.current?.id == F.id(1))
        #expect(failover.next(after: .response(408)).isTry(F.id(2)))
    }

    @Test func exhaustsWith503WhenConfiguredAndSkipsBoxesThatWentDown() throws {
        var dispatcher = try F.dispatcher([1, 2, 3], noDestinationStatus: 503)
        var failover = dispatcher.select(set: "fs", keys: .init(callID: "a"), now: F.t0).failover()
        F.takeDown(&dispatcher, 2)
        let down = dispatcher
        #expect(failover.next(after: .timeout, skip: { !down.isSelectable($0) }).isTry(F.id(3)))
        #expect(failover.next(after: .timeout) == .exhausted(status: 503, reason: "No Destination available"))

        let empty = DispatcherSelection(candidates: [], noDestinationStatus: 503)
        var none = empty.failover()
        #expect(none.current == nil)
        #expect(none.next(after: .timeout) == .exhausted(status: 503, reason: "No Destination available"))
    }
}

extension DispatcherFailoverDecision {
    func isTry(_ id: DispatcherDestinationID) -> Bool {
        if case .tryNext(let destination) = self { return destination.id == id }
        return false
    }
}
