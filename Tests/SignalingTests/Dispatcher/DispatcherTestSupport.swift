@testable import Signaling

/// Builders shared by the dispatcher tests.
enum DispatcherFixture {
    static let t0 = SIPInstant(milliseconds: 1_000_000)

    static func uri(_ n: Int) -> String { "sip:10.0.0.\(n):5080" }

    static func id(_ n: Int) -> DispatcherDestinationID {
        DispatcherDestinationID(rawValue: (try? SIPURI(uri(n)))?.description ?? "")
    }

    static func destinations(_ numbers: [Int], weights: [Int]? = nil,
                             priority: [Int: Int] = [:]) -> [DispatcherDestinationConfiguration]
    {
        numbers.enumerated().map { index, n in
            DispatcherDestinationConfiguration(uri: uri(n), weight: weights?[index] ?? 1,
                                               attributes: .init(priority: priority[n] ?? 0))
        }
    }

    static func dispatcher(_ numbers: [Int], weights: [Int]? = nil, algorithm: DispatcherAlgorithm = .roundRobin,
                           probing: DispatcherProbingSettings = .init(), noDestinationStatus: Int = 500,
                           seed: UInt64 = 1) throws -> Dispatcher
    {
        let set = DispatcherSetConfiguration(name: "fs", algorithm: algorithm,
                                             destinations: destinations(numbers, weights: weights))
        return try Dispatcher(configuration: .init(sets: [set], probing: probing, noDestinationStatus: noDestinationStatus),
                              now: t0, random: SplitMix64Generator(seed: seed))
    }

    /// Drives `destination` to inactive with failed real calls.
    static func takeDown(_ dispatcher: inout Dispatcher, _ n: Int) {
        for _ in 0..<dispatcher.configuration.probing.failureThreshold {
            _ = dispatcher.reportResult(.timeout, for: id(n), now: t0)
        }
    }

    static func first(_ dispatcher: inout Dispatcher, keys: DispatcherRequestKeys = .init(callID: "x"),
                      algorithm: DispatcherAlgorithm? = nil) -> DispatcherDestinationID?
    {
        dispatcher.select(set: "fs", algorithm: algorithm, keys: keys, now: t0).first?.id
    }
}
