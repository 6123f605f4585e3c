import Testing
@testable import Signaling

@Suite struct DispatcherPartitionTests {
    typealias F = DispatcherFixture

    private func dispatcher() throws -> Dispatcher {
        let partition = DispatcherPartitionConfiguration(name: "acme", domains: ["acme.example", "ACME.test"],
                                                         primaries: [F.uri(1), F.uri(2)], spares: [F.uri(5)])
        let set = DispatcherSetConfiguration(name: "fs", algorithm: .hashDomain,
                                             destinations: F.destinations([1, 2, 3, 4, 5]), partitions: [partition])
        return try Dispatcher(configuration: .init(sets: [set]), now: F.t0)
    }

    @Test func tenantGoesToItsPrimariesOthersToTheWholeSet() throws {
        var dispatcher = try dispatcher()
        let acme = dispatcher.select(set: "fs", keys: .init(callID: "a", domain: "acme.test"), now: F.t0)
        #expect(acme.partition == "acme")
        #expect(!acme.usesSpares)
        #expect(Set(acme.candidates.map(\.id)) == [F.id(1), F.id(2)])
        let other = dispatcher.select(set: "fs", keys: .init(callID: "a", domain: "other.example"), now: F.t0)
        #expect(other.partition == nil)
        #expect(other.candidates.count == 5)
    }

    @Test func sparesOnlyWhenAllPrimariesAreDown() throws {
        var dispatcher = try dispatcher()
        let keys = DispatcherRequestKeys(callID: "a", domain: "acme.example")
        F.takeDown(&dispatcher, 1)
        #expect(dispatcher.select(set: "fs", keys: keys, now: F.t0).candidates.map(\.id) == [F.id(2)])
        F.takeDown(&dispatcher, 2)
        let spare = dispatcher.select(set: "fs", keys: keys, now: F.t0)
        #expect(spare.usesSpares)
        #expect(spare.candidates.map(\.id) == [F.id(5)])
        F.takeDown(&dispatcher, 5)
        #expect(dispatcher.select(set: "fs", keys: keys, now: F.t0).isEmpty)
    }
}
