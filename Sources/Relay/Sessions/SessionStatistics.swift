/// Port usage of one interface.
public struct InterfacePortUsage: Hashable, Sendable {
    public var name: String
    public var capacity: Int
    public var free: Int
    public var used: Int
    public var unbindable: Int
}

/// The session layer's part of ng `statistics`; the Control layer adds its own ng command counters.
public struct SessionStatistics: Hashable, Sendable {
    /// Calls held now (`sessionsown`), including those waiting for a delete delay.
    public var currentCalls: Int
    /// Packet streams held now.
    public var currentStreams: Int
    /// Calls ever created (`managedsessions`).
    public var totalCalls: Int
    /// Offers or re-offers refused with "Ran out of ports" (`rejectedsessions`).
    public var ranOutOfPorts: Int
    /// Ended calls by reason (`regularterminatedsessions`, `timeoutsessions`, `silenttimeoutsessions`,
    /// `offertimeoutsessions`, `finaltimeoutsessions`).
    public var ended: [CallEndReason: Int]
    /// Sums of the data plane's last reported counters over current calls.
    public var relayedPackets: UInt64
    public var relayedBytes: UInt64
    public var relayedErrors: UInt64
    public var ports: [InterfacePortUsage]

    /// Count for one reason (0 when none ended that way).
    public func endedCount(_ reason: CallEndReason) -> Int { ended[reason] ?? 0 }
}

extension SessionTable {
    /// ng `statistics` (session part).
    public func statistics() -> SessionStatistics {
        // Running sums (see `streamTotals`): O(1) instead of a walk over every call.
        let packets = streamTotals.packets
        let bytes = streamTotals.bytes
        let errors = streamTotals.errors
        let streams = streamLocations.count
        let ports = configuration.interfaces.enumerated().map { position, relayInterface in
            let allocator = allocators[position]
            return InterfacePortUsage(
                name: relayInterface.name, capacity: allocator.capacity, free: allocator.freeCount,
                used: allocator.usedCount, unbindable: allocator.unbindableCount)
        }
        return SessionStatistics(
            currentCalls: calls.count, currentStreams: streams, totalCalls: totals.managedCalls,
            ranOutOfPorts: totals.ranOutOfPorts, ended: totals.ended,
            relayedPackets: packets, relayedBytes: bytes, relayedErrors: errors, ports: ports)
    }
}
