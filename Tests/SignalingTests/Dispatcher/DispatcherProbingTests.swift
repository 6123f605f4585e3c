import Testing
@testable import Signaling

@Suite struct DispatcherProbingTests {
    typealias F = DispatcherFixture

    private func probes(_ actions: [DispatcherAction]) -> [DispatcherDestinationID: UInt64] {
        var out: [DispatcherDestinationID: UInt64] = [:]
        for case .sendProbe(let probeID, let destination, _) in actions { out[destination] = probeID }
        return out
    }

    @Test func failuresMakeInactiveAndSuccessesBringBack() throws {
        let settings = DispatcherProbingSettings(intervalMilliseconds: 10_000, timeoutMilliseconds: 5_000,
                                                 failureThreshold: 3, successThreshold: 2)
        var dispatcher = try F.dispatcher([1, 2], probing: settings)
        var now = F.t0
        var transitions: [DispatcherAction] = []
        for round in 0..<3 {
            let sent = probes(dispatcher.advance(to: now))
            #expect(sent.count == 2, "round \(round)")
            transitions += dispatcher.probeResult(try #require(sent[F.id(1)]), .response(503), now: now)
            _ = dispatcher.probeResult(try #require(sent[F.id(2)]), .response(200), now: now)
            #expect(dispatcher.nextDeadline == now + 10_000)
            now = now + 10_000
        }
        #expect(transitions == [.stateChanged(F.id(1), from: .active, to: .probing),
                                .stateChanged(F.id(1), from: .probing, to: .inactive)])
        #expect(dispatcher.state(of: F.id(2)) == .active)
        #expect(dispatcher.select(set: "fs", keys: .init(callID: "a"), now: now).candidates.map(\.id) == [F.id(2)])

        // Inactive boxes keep being probed; one success is not enough, two are.
        var sent = probes(dispatcher.advance(to: now))
        #expect(dispatcher.probeResult(try #require(sent[F.id(1)]), .response(200), now: now).isEmpty)
        #expect(dispatcher.state(of: F.id(1)) == .inactive)
        now = now + 10_000
        sent = probes(dispatcher.advance(to: now))
        #expect(dispatcher.probeResult(try #require(sent[F.id(1)]), .response(404), now: now)
            == [.stateChanged(F.id(1), from: .inactive, to: .active)])
    }

    @Test func aSuccessInProbingResetsTheFailureRun() throws {
        var dispatcher = try F.dispatcher([1], probing: .init(failureThreshold: 2))
        _ = dispatcher.reportResult(.response(500), for: F.id(1), now: F.t0)
        #expect(dispatcher.state(of: F.id(1)) == .probing)
        #expect(dispatcher.isSelectable(F.id(1)))
        _ = dispatcher.reportResult(.response(200), for: F.id(1), now: F.t0)
        _ = dispatcher.reportResult(.response(500), for: F.id(1), now: F.t0)
        #expect(dispatcher.state(of: F.id(1)) == .probing)
        _ = dispatcher.reportResult(.response(486), for: F.id(1), now: F.t0)  // not a box failure
        _ = dispatcher.reportResult(.timeout, for: F.id(1), now: F.t0)
        #expect(dispatcher.state(of: F.id(1)) == .probing)
        _ = dispatcher.reportResult(.response(408), for: F.id(1), now: F.t0)
        #expect(dispatcher.state(of: F.id(1)) == .inactive)
        // A real-call success does not revive an inactive box; only probes do.
        _ = dispatcher.reportResult(.response(200), for: F.id(1), now: F.t0)
        #expect(dispatcher.state(of: F.id(1)) == .inactive)
    }

    @Test func unansweredProbesTimeOutInTheCore() throws {
        var dispatcher = try F.dispatcher([1], probing: .init(intervalMilliseconds: 10_000, timeoutMilliseconds: 2_000,
                                                              failureThreshold: 1))
        let sent = probes(dispatcher.advance(to: F.t0))
        #expect(dispatcher.nextDeadline == F.t0 + 2_000)
        #expect(dispatcher.advance(to: F.t0 + 1_999).isEmpty)
        #expect(dispatcher.advance(to: F.t0 + 2_000) == [.stateChanged(F.id(1), from: .active, to: .inactive)])
        // The late report of that probe is ignored.
        #expect(dispatcher.probeResult(try #require(sent[F.id(1)]), .response(200), now: F.t0 + 2_500).isEmpty)
        #expect(probes(dispatcher.advance(to: F.t0 + 12_000)).count == 1)
    }

    @Test func configuredReplyCodesCountAsFailures() throws {
        var dispatcher = try F.dispatcher([1], probing: .init(failureThreshold: 1, extraFailureCodes: [404]))
        let sent = probes(dispatcher.advance(to: F.t0))
        _ = dispatcher.probeResult(try #require(sent[F.id(1)]), .response(404), now: F.t0)
        #expect(dispatcher.state(of: F.id(1)) == .inactive)
    }

    @Test func disabledStaysDisabled() throws {
        var dispatcher = try F.dispatcher([1, 2])
        #expect(dispatcher.setDisabled(true, for: F.id(1), now: F.t0)
            == [.stateChanged(F.id(1), from: .active, to: .disabled)])
        let sent = probes(dispatcher.advance(to: F.t0))
        #expect(sent.keys.sorted() == [F.id(2)])
        for _ in 0..<5 {
            _ = dispatcher.reportResult(.response(200), for: F.id(1), now: F.t0)
            _ = dispatcher.reportResult(.timeout, for: F.id(1), now: F.t0)
        }
        #expect(dispatcher.state(of: F.id(1)) == .disabled)
        #expect(dispatcher.select(set: "fs", keys: .init(callID: "a"), now: F.t0).candidates.map(\.id) == [F.id(2)])
        #expect(dispatcher.setDisabled(false, for: F.id(1), now: F.t0)
            == [.stateChanged(F.id(1), from: .disabled, to: .active)])
        #expect(probes(dispatcher.advance(to: F.t0)).keys.sorted() == [F.id(1)])
    }

    @Test func onlyFailedBoxesAreProbedWhenActiveProbingIsOff() throws {
        var dispatcher = try F.dispatcher([1, 2], probing: .init(probesActiveDestinations: false))
        #expect(dispatcher.advance(to: F.t0).isEmpty)
        #expect(dispatcher.nextDeadline == nil)
        _ = dispatcher.reportResult(.timeout, for: F.id(2), now: F.t0)
        #expect(probes(dispatcher.advance(to: F.t0)).keys.sorted() == [F.id(2)])
    }

    @Test func snapshotShowsStatesAndCounters() throws {
        var dispatcher = try F.dispatcher([1, 2])
        _ = dispatcher.reportResult(.timeout, for: F.id(1), now: F.t0)
        dispatcher.callStarted(on: F.id(2), callID: "c")
        let snapshot = dispatcher.snapshot(now: F.t0)
        #expect(snapshot.sets.map(\.name) == ["fs"])
        #expect(snapshot.destinations.map(\.state) == [.probing, .active])
        #expect(snapshot.destinations.map(\.consecutiveFailures) == [1, 0])
        #expect(snapshot.destinations.map(\.activeCalls) == [0, 1])
    }
}
