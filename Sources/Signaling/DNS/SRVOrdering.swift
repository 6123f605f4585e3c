/// One SRV record's selection fields (RFC 2782).
public struct SRVEntry: Sendable, Hashable {
    public var priority: UInt16
    public var weight: UInt16
    public var port: UInt16
    public var target: DNSName

    public init(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName) {
        self.priority = priority
        self.weight = weight
        self.port = port
        self.target = target
    }
}

/// RFC 2782's order: lowest priority first; within one priority a weighted random draw without
/// replacement, zero-weight entries first in the running-sum list so that they are picked rarely but
/// not never. The generator is injected so that tests can pin the draw.
public enum SRVOrdering {
    public static func order(_ entries: [SRVEntry], using random: inout some RandomNumberGenerator) -> [SRVEntry] {
        var result: [SRVEntry] = []
        result.reserveCapacity(entries.count)
        let priorities = Set(entries.map(\.priority)).sorted()
        for priority in priorities {
            // Zero weights first (RFC 2782 "Usage rules"), keeping the server's order otherwise.
            var group = entries.filter { $0.priority == priority && $0.weight == 0 }
                + entries.filter { $0.priority == priority && $0.weight != 0 }
            while !group.isEmpty {
                let total = group.reduce(UInt64(0)) { $0 + UInt64($1.weight) }
                let draw = UInt64.random(in: 0...total, using: &random)
                var running: UInt64 = 0
                var chosen = group.count - 1
                for (index, entry) in group.enumerated() {
                    running += UInt64(entry.weight)
                    if running >= draw {
                        chosen = index
                        break
                    }
                }
                result.append(group.remove(at: chosen))
            }
        }
        return result
    }
}
