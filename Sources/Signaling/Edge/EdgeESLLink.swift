/// One box's event-socket link as the edge keeps it: the running `ESLConnection` (its own thread),
/// a generation number so a late report from a replaced connection is ignored, and the failure
/// count that sets the reconnect back-off. Loop-confined (owned by `EdgeCore.eslConnections`).
final class EdgeESLLink {
    let endpoint: ESLEndpoint
    var connection: ESLConnection?
    var generation: UInt64 = 0
    /// Connection attempts that ended without a heartbeat, in a row.
    var failuresInARow = 0

    init(endpoint: ESLEndpoint) { self.endpoint = endpoint }

    /// Reconnect delay: 1 s doubling per failure in a row, at most 30 s (a box that restarts is
    /// picked up quickly; a dead one costs one connect attempt per 30 s).
    var backOffMilliseconds: Int64 {
        let exponent = min(failuresInARow, 5)
        return min(1_000 << Int64(exponent), 30_000)
    }
}
