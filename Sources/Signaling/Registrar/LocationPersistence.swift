/// The location store's background writer: registrar changes go to `location.sqlite` in batched transactions,
/// coalesced per binding, off the receive path (a `CoalescingBatchWriter`).
public final class LocationPersistence: Sendable {
    public typealias Statistics = BatchWriterStatistics

    public let database: LocationDatabase
    private let writer: CoalescingBatchWriter<RegistrarBindingKey, LocationChange>

    public init(database: LocationDatabase, flushIntervalMilliseconds: Int = 200, batchSize: Int = 1000,
                onError: @escaping @Sendable (any Error) -> Void = { _ in })
    {
        self.database = database
        writer = CoalescingBatchWriter(threadName: "location-writer", flushIntervalMilliseconds: flushIntervalMilliseconds,
                                       batchSize: batchSize, key: { $0.key }, write: { try database.apply($0) },
                                       onError: onError)
    }

    public var flushIntervalMilliseconds: Int { writer.flushIntervalMilliseconds }
    public var batchSize: Int { writer.batchSize }
    /// Starts the writer thread (idempotent).
    public func start() { writer.start() }
    /// Queues changes; never touches the disk.
    public func enqueue(_ changes: [LocationChange]) { writer.enqueue(changes) }
    /// Blocks until everything queued before the call is written (shutdown, tests).
    public func flush() { writer.flush() }
    /// Writes what is queued and stops the thread.
    public func stop() { writer.stop() }
    public var statistics: Statistics { writer.statistics }
}
