/// The presence store's background writer: subscriptions, publications and stored messages go to
/// `presence.sqlite` in batched transactions, coalesced per key (the last state of a subscription, a
/// presentity's publications or a stored message wins), off the event loop (a `CoalescingBatchWriter`).
final class EdgePresencePersistence: Sendable {
    let database: EdgePresenceDatabase
    private let writer: CoalescingBatchWriter<EdgePresenceRecordKey, EdgePresenceRecord>

    init(database: EdgePresenceDatabase, flushIntervalMilliseconds: Int = 200, batchSize: Int = 1000,
         onError: @escaping @Sendable (any Error) -> Void = { _ in })
    {
        self.database = database
        writer = CoalescingBatchWriter(threadName: "presence-writer", flushIntervalMilliseconds: flushIntervalMilliseconds,
                                       batchSize: batchSize, key: { $0.key }, write: { try database.apply($0) },
                                       onError: onError)
    }

    func start() { writer.start() }
    /// Queues records; never touches the disk.
    func enqueue(_ records: [EdgePresenceRecord]) { writer.enqueue(records) }
    /// Blocks until everything queued before the call is written (shutdown, tests).
    func flush() { writer.flush() }
    /// Writes what is queued and stops the thread.
    func stop() { writer.stop() }
    var failures: Int { writer.statistics.failures }
}
