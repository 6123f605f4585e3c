/// One set as the dispatcher runs it: members in configuration order plus the per-set algorithm
/// state (round-robin position, smooth-weighted counters) that survives reloads.
struct DispatcherSetState: Sendable {
    struct Partition: Sendable {
        var name: String
        var primaries: [Int]
        var spares: [Int]
    }

    var name: String
    var algorithm: DispatcherAlgorithm
    var members: [DispatcherDestination]
    var memberHashes: [UInt64]
    var weights: [Int]
    var roundRobinNext = 0
    var smoothCurrent: [Int]
    var partitions: [Partition]
    var partitionByDomain: [String: Int]
    var noDestinationStatus: Int

    /// Builds from a validated configuration.
    init(_ configuration: DispatcherSetConfiguration, defaultStatus: Int) {
        name = configuration.name
        algorithm = configuration.algorithm
        var members: [DispatcherDestination] = []
        var indexByID: [DispatcherDestinationID: Int] = [:]
        for entry in configuration.destinations {
            guard let id = try? DispatcherDestinationID(configured: entry.uri), let uri = try? SIPURI(entry.uri) else {
                continue
            }
            indexByID[id] = members.count
            members.append(DispatcherDestination(id: id, uri: uri, setName: configuration.name, weight: entry.weight,
                                                 attributes: entry.attributes))
        }
        self.members = members
        memberHashes = members.map { DispatcherHash.hash($0.id.rawValue) }
        weights = members.map(\.weight)
        smoothCurrent = Array(repeating: 0, count: members.count)
        func indices(_ uris: [String]) -> [Int] {
            uris.compactMap { uri in (try? DispatcherDestinationID(configured: uri)).flatMap { indexByID[$0] } }
        }
        partitions = configuration.partitions.map {
            Partition(name: $0.name, primaries: indices($0.primaries), spares: indices($0.spares))
        }
        var byDomain: [String: Int] = [:]
        for (index, partition) in configuration.partitions.enumerated() {
            for domain in partition.domains { byDomain[domain.lowercased()] = index }
        }
        partitionByDomain = byDomain
        noDestinationStatus = configuration.noDestinationStatus ?? defaultStatus
    }

    /// Carries the algorithm state of the same-named set from before a reload, matched by id.
    mutating func inheritAlgorithmState(from old: DispatcherSetState) {
        roundRobinNext = old.roundRobinNext
        var oldCurrent: [DispatcherDestinationID: Int] = [:]
        for (index, member) in old.members.enumerated() { oldCurrent[member.id] = old.smoothCurrent[index] }
        for (index, member) in members.enumerated() { smoothCurrent[index] = oldCurrent[member.id] ?? 0 }
    }
}
