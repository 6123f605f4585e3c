import Testing
@testable import Signaling

@Suite struct DispatcherRendezvousTests {
    typealias F = DispatcherFixture

    private func mapping(_ dispatcher: inout Dispatcher, keys: Int) -> [DispatcherDestinationID?] {
        (0..<keys).map { F.first(&dispatcher, keys: .init(callID: "call-\($0)@example.net")) }
    }

    @Test func removingOneBoxMovesOnlyItsKeysAndSpreadsThem() throws {
        var dispatcher = try F.dispatcher([1, 2, 3, 4, 5], algorithm: .hashCallID)
        let before = mapping(&dispatcher, keys: 10_000)
        _ = dispatcher.setDisabled(true, for: F.id(3), now: F.t0)
        let during = mapping(&dispatcher, keys: 10_000)

        var movedTo: [DispatcherDestinationID: Int] = [:]
        var moved = 0
        for (old, new) in zip(before, during) {
            if old == F.id(3) {
                moved += 1
                if let new { movedTo[new, default: 0] += 1 }
                #expect(new != F.id(3))
            } else {
                #expect(old == new)
            }
        }
        #expect(moved > 1_500 && moved < 2_500)
        #expect(movedTo.count >= 3)
        #expect((movedTo.values.max() ?? 0) * 2 <= moved)

        _ = dispatcher.setDisabled(false, for: F.id(3), now: F.t0)
        #expect(mapping(&dispatcher, keys: 10_000) == before)
    }

    @Test func weightsShareKeysProportionally() throws {
        var dispatcher = try F.dispatcher([1, 2, 3], weights: [1, 2, 3], algorithm: .hashCallID)
        var counts: [DispatcherDestinationID: Int] = [:]
        for key in mapping(&dispatcher, keys: 12_000) { counts[key ?? F.id(0), default: 0] += 1 }
        #expect(abs((counts[F.id(1)] ?? 0) - 2_000) < 250)
        #expect(abs((counts[F.id(2)] ?? 0) - 4_000) < 300)
        #expect(abs((counts[F.id(3)] ?? 0) - 6_000) < 300)
    }

    @Test func failoverOrderIsTheRendezvousRanking() throws {
        var dispatcher = try F.dispatcher([1, 2, 3, 4], algorithm: .hashCallID)
        let keys = DispatcherRequestKeys(callID: "k")
        let full = dispatcher.select(set: "fs", keys: keys, now: F.t0).candidates.map(\.id)
        #expect(full.count == 4)
        _ = dispatcher.setDisabled(true, for: full[0], now: F.t0)
        #expect(dispatcher.select(set: "fs", keys: keys, now: F.t0).candidates.map(\.id) == Array(full.dropFirst()))
    }

    @Test func hashMixerIsStable() {
        // Pinned so that key placement does not change silently between releases.
        #expect(DispatcherHash.fnv1a("") == 0xcbf2_9ce4_8422_2325)
        #expect(DispatcherHash.fnv1a("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(DispatcherHash.mix(0) == 0xe220_a839_7b1d_cdaf)
    }
}
