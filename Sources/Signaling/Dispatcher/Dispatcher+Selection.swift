extension Dispatcher {
    /// Orders the selectable destinations of `set` for one request. The set's own algorithm applies
    /// when `algorithm` is nil. If the request's domain names a tenant partition only its primaries
    /// are candidates, or its spares when every primary is down. Destinations are grouped by
    /// priority tier (lower first); the algorithm orders each tier. An unknown set or no selectable
    /// destination yields an empty list, and the caller answers `noDestinationStatus`.
    public mutating func select(set name: String, algorithm: DispatcherAlgorithm? = nil,
                                keys: DispatcherRequestKeys, now: SIPInstant) -> DispatcherSelection
    {
        guard var set = sets[name] else {
            return DispatcherSelection(candidates: [], noDestinationStatus: configuration.noDestinationStatus)
        }
        let algorithm = algorithm ?? set.algorithm
        var pool = Array(set.members.indices)
        var partitionName: String?
        var usesSpares = false
        if let domain = keys.domain?.lowercased(), let partitionIndex = set.partitionByDomain[domain] {
            let partition = set.partitions[partitionIndex]
            partitionName = partition.name
            pool = partition.primaries
            if !pool.contains(where: { isSelectable(set.members[$0].id) }) {
                pool = partition.spares
                usesSpares = true
            }
        }
        let eligible = pool.filter { isSelectable(set.members[$0].id) }
        var tiers: [Int: [Int]] = [:]
        for index in eligible { tiers[set.members[index].attributes.priority, default: []].append(index) }
        var ordered: [Int] = []
        ordered.reserveCapacity(eligible.count)
        for (tierNumber, priority) in tiers.keys.sorted().enumerated() {
            let tier = tiers[priority] ?? []
            var tierOrder = order(tier, in: &set, algorithm: algorithm, keys: keys, now: now,
                                  isFirstTier: tierNumber == 0)
            if !algorithm.isHash { demoteFull(&tierOrder, members: set.members, now: now) }
            ordered += tierOrder
        }
        if algorithm == .roundRobin, !eligible.isEmpty { set.roundRobinNext &+= 1 }
        sets[name] = set
        return DispatcherSelection(candidates: ordered.map { set.members[$0] }, noDestinationStatus: set.noDestinationStatus,
                                   partition: partitionName, usesSpares: usesSpares)
    }

    /// Moves boxes at their session limit behind the others (they stay as last-resort failover).
    /// Hash algorithms are exempt: moving a key off its box would split a conference or queue.
    private func demoteFull(_ order: inout [Int], members: [DispatcherDestination], now: SIPInstant) {
        let full = order.filter { runtimes[members[$0].id]?.isFull(now: now, configuration: configuration) ?? false }
        guard !full.isEmpty else { return }
        order = order.filter { !full.contains($0) } + full
    }

    /// Orders one tier (member indices in configuration order) by the algorithm.
    private mutating func order(_ tier: [Int], in set: inout DispatcherSetState, algorithm: DispatcherAlgorithm,
                                keys: DispatcherRequestKeys, now: SIPInstant, isFirstTier: Bool) -> [Int]
    {
        guard tier.count > 1 else { return tier }
        switch algorithm {
        case .roundRobin:
            let start = Int(UInt(bitPattern: set.roundRobinNext) % UInt(tier.count))
            return Array(tier[start...] + tier[..<start])
        case .weighted:
            // The smooth pick chooses the first candidate of the first tier; failover and lower tiers go
            // by weight (heaviest first), which needs no extra state.
            var rest = tier.sorted { set.weights[$0] != set.weights[$1] ? set.weights[$0] > set.weights[$1] : $0 < $1 }
            guard isFirstTier, let chosen = SmoothWeightedRoundRobin.pick(current: &set.smoothCurrent,
                                                                           weights: set.weights, eligible: tier)
            else { return rest }
            rest.removeAll { $0 == chosen }
            return [chosen] + rest
        case .random:
            var shuffled = tier
            shuffled.shuffle(using: &random)
            return shuffled
        case .leastCalls:
            let members = set.members
            let weights = set.weights
            return tier.sorted { a, b in
                let callsA = activeCalls(on: members[a].id), callsB = activeCalls(on: members[b].id)
                // calls/weight compared by cross-multiplication.
                let lhs = callsA.multipliedReportingOverflow(by: weights[b]).partialValue
                let rhs = callsB.multipliedReportingOverflow(by: weights[a]).partialValue
                if lhs != rhs { return lhs < rhs }
                if weights[a] != weights[b] { return weights[a] > weights[b] }
                return a < b
            }
        case .freeswitchLoad:
            let scores = Dictionary(uniqueKeysWithValues: tier.map { index in
                (index, runtimes[set.members[index].id]?.loadScore(now: now, configuration: configuration) ?? 0)
            })
            return tier.sorted { a, b in
                let scoreA = scores[a] ?? 0, scoreB = scores[b] ?? 0
                if scoreA != scoreB { return scoreA > scoreB }
                if set.weights[a] != set.weights[b] { return set.weights[a] > set.weights[b] }
                return a < b
            }
        case .hashCallID, .hashRequestUser, .hashDomain:
            let members = tier.map { (hash: set.memberHashes[$0], weight: set.weights[$0]) }
            return RendezvousRanking.rank(key: keys.hashKey(for: algorithm), members: members).map { tier[$0] }
        }
    }
}
