import Foundation

/// The writer thread between the presence cores and `presence.sqlite`, built like
/// `LocationPersistence`: `enqueue` appends under a short lock (the event loop never waits on the
/// disk), the thread writes the buffer in one transaction every `flushIntervalMilliseconds` or
/// once `batchSize` records wait. Records coalesce per key (the last state of a subscription,
/// a presentity's publications or a stored message wins), so a slow disk costs memory bounded by
/// the number of live objects, not by the message rate.
final class EdgePresencePersistence: @unchecked Sendable {
    let database: EdgePresenceDatabase
    let flushIntervalMilliseconds: Int
    let batchSize: Int
    private let onError: @Sendable (any Error) -> Void

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var buffer: [EdgePresenceRecordKey: EdgePresenceRecord] = [:]
    private var enqueued: UInt64 = 0
    private var written: UInt64 = 0
    private var flushRequested = false
    private var stopping = false
    private var running = false
    private var finished = false
    private(set) var failures = 0

    init(database: EdgePresenceDatabase, flushIntervalMilliseconds: Int = 200, batchSize: Int = 1000,
         onError: @escaping @Sendable (any Error) -> Void = { _ in })
    {
        self.database = database
        self.flushIntervalMilliseconds = max(1, flushIntervalMilliseconds)
        self.batchSize = max(1, batchSize)
        self.onError = onError
    }

    func start() {
        condition.lock()
        defer { condition.unlock() }
        guard !running else { return }
        running = true
        let thread = Thread { [self] in run() }
        thread.name = "presence-writer"
        thread.start()
    }

    /// Queues records; never touches the disk.
    func enqueue(_ records: [EdgePresenceRecord]) {
        guard !records.isEmpty else { return }
        condition.lock()
        for record in records { buffer[record.key] = record }
        enqueued += 1
        if buffer.count >= batchSize { condition.signal() }
        condition.unlock()
    }

    /// Blocks until everything queued before the call is written (shutdown, tests).
    func flush() {
        condition.lock()
        defer { condition.unlock() }
        let target = enqueued
        guard running else { return }
        flushRequested = true
        condition.broadcast()
        while written < target && !finished { condition.wait() }
    }

    /// Writes what is queued and stops the thread.
    func stop() {
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

    private func run() {
        condition.lock()
        while true {
            if buffer.count < batchSize && !flushRequested && !stopping {
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(flushIntervalMilliseconds) / 1000))
            }
            let batch = Array(buffer.values)
            buffer.removeAll(keepingCapacity: true)
            let generation = enqueued
            flushRequested = false
            let stopNow = stopping
            condition.unlock()

            var failed = false
            do { try database.apply(batch) } catch {
                failed = true
                onError(error)
            }

            condition.lock()
            if failed { failures += 1 }
            written = generation
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
