import Foundation

/// Counts of a `CoalescingBatchWriter`.
public struct BatchWriterStatistics: Sendable, Hashable {
    public var batches = 0
    public var records = 0
    public var failures = 0
}

/// The background writer between an event-loop core and its SQLite file, shared by the location store
/// (`LocationPersistence`) and the presence store (`EdgePresencePersistence`). `enqueue` only appends to a buffer
/// under a short lock, so the receive path never waits on the disk; a dedicated thread hands the buffer to `write`
/// (one transaction) every `flushIntervalMilliseconds`, or sooner once `batchSize` records wait. Records coalesce
/// per key (the last one wins), so a stalled disk makes the buffer grow at most to the number of live objects, not
/// with the message rate.
public final class CoalescingBatchWriter<Key: Hashable & Sendable, Record: Sendable>: @unchecked Sendable {
    public let flushIntervalMilliseconds: Int
    public let batchSize: Int
    private let threadName: String
    private let key: @Sendable (Record) -> Key
    private let write: @Sendable ([Record]) throws -> Void
    private let onError: @Sendable (any Error) -> Void

    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var buffer: [Key: Record] = [:]
    private var enqueuedGeneration: UInt64 = 0
    private var writtenGeneration: UInt64 = 0
    private var flushRequested = false
    private var stopping = false
    private var running = false
    private var finished = false
    private var stats = BatchWriterStatistics()

    public init(threadName: String, flushIntervalMilliseconds: Int, batchSize: Int,
                key: @escaping @Sendable (Record) -> Key, write: @escaping @Sendable ([Record]) throws -> Void,
                onError: @escaping @Sendable (any Error) -> Void)
    {
        self.threadName = threadName
        self.flushIntervalMilliseconds = max(1, flushIntervalMilliseconds)
        self.batchSize = max(1, batchSize)
        self.key = key
        self.write = write
        self.onError = onError
    }

    /// Starts the writer thread (idempotent).
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        guard !running else { return }
        running = true
        let thread = Thread { [self] in run() }
        thread.name = threadName
        thread.start()
    }

    /// Queues records; never touches the disk.
    public func enqueue(_ records: [Record]) {
        guard !records.isEmpty else { return }
        condition.lock()
        for record in records { buffer[key(record)] = record }
        enqueuedGeneration += 1
        if buffer.count >= batchSize { condition.signal() }
        condition.unlock()
    }

    /// Blocks until everything queued before the call is written (shutdown, tests).
    public func flush() {
        condition.lock()
        defer { condition.unlock() }
        let target = enqueuedGeneration
        guard running else { return }
        flushRequested = true
        condition.broadcast()
        while writtenGeneration < target && !finished { condition.wait() }
    }

    /// Writes what is queued and stops the thread.
    public func stop() {
        condition.lock()
        guard running else {
            condition.unlock()
            return
        }
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        running = false
        condition.unlock()
    }

    public var statistics: BatchWriterStatistics {
        condition.lock()
        defer { condition.unlock() }
        return stats
    }

    private func run() {
        condition.lock()
        while true {
            if buffer.count < batchSize && !flushRequested && !stopping {
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(flushIntervalMilliseconds) / 1000))
            }
            let batch = Array(buffer.values)
            buffer.removeAll(keepingCapacity: true)
            let generation = enqueuedGeneration
            flushRequested = false
            let stopNow = stopping
            condition.unlock()

            var failed = false
            if !batch.isEmpty {
                do { try write(batch) } catch {
                    failed = true
                    onError(error)
                }
            }

            condition.lock()
            if !batch.isEmpty {
                if failed { stats.failures += 1 } else {
                    stats.batches += 1
                    stats.records += batch.count
                }
            }
            writtenGeneration = generation
            condition.broadcast()
            if stopNow && buffer.isEmpty {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
        }
    }
}
