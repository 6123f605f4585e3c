/// Pass-through REGISTERs forwarded to the backend and not yet answered with a final response,
/// keyed by Call-ID + CSeq number. Bounded in size (the oldest is dropped when full) and in time
/// (entries older than the timeout are swept): a backend that never answers cannot grow it.
struct PendingRegistrationTable: Sendable {
    struct Key: Sendable, Hashable {
        var callID: String
        var cseq: UInt32
    }

    struct Entry: Sendable {
        var request: RegisterRequest
        var source: RegistrarPeer
        var socket: LocalSocketRef
        var nat: NATStatus
        var createdAt: RegistrarInstant
        /// Insertion number, so that an order-queue slot left by a replaced entry is recognized as stale.
        var serial: UInt64
    }

    private var entries: [Key: Entry] = [:]
    private var order: [(key: Key, serial: UInt64)] = []
    private var head = 0
    private var nextSerial: UInt64 = 0
    let limit: Int

    init(limit: Int) { self.limit = max(1, limit) }

    var count: Int { entries.count }

    /// Inserts; returns how many entries were evicted to make room.
    mutating func insert(_ key: Key, request: RegisterRequest, source: RegistrarPeer, socket: LocalSocketRef,
                         nat: NATStatus, now: RegistrarInstant) -> Int
    {
        var evicted = 0
        while entries[key] == nil && entries.count >= limit, let oldest = popOldest() {
            entries[oldest] = nil
            evicted += 1
        }
        nextSerial += 1
        entries[key] = Entry(request: request, source: source, socket: socket, nat: nat, createdAt: now, serial: nextSerial)
        order.append((key, nextSerial))
        return evicted
    }

    func entry(_ key: Key) -> Entry? { entries[key] }

    mutating func remove(_ key: Key) -> Entry? {
        entries.removeValue(forKey: key)
    }

    /// Removes entries created at or before `cutoff`; returns how many.
    mutating func removeOlder(than cutoff: RegistrarInstant) -> Int {
        var removed = 0
        while head < order.count {
            let slot = order[head]
            guard let entry = entries[slot.key], entry.serial == slot.serial else {
                head += 1
                continue
            }
            guard entry.createdAt <= cutoff else { break }
            entries[slot.key] = nil
            head += 1
            removed += 1
        }
        compact()
        return removed
    }

    private mutating func popOldest() -> Key? {
        while head < order.count {
            let slot = order[head]
            head += 1
            if let entry = entries[slot.key], entry.serial == slot.serial { return slot.key }
        }
        return nil
    }

    private mutating func compact() {
        if head > 1024 && head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
