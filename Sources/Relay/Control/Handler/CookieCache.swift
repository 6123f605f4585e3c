/// Replies by ng cookie, so a retransmitted request (the proxy's UDP retry) gets the same answer instead of being
/// executed twice — a second `offer` must not allocate a second set of ports.
///
/// Entries live `lifetime` microseconds (rtpengine keeps them about 30 s) and at most `capacity` are kept; the
/// oldest go first. A duplicate that arrives while the first copy is still being processed needs no waiting
/// room here: the relay handles ng on a single control thread, so the duplicate is read from the socket only
/// after the first reply has been stored.
public struct CookieCache: Sendable {
    public let capacity: Int
    public let lifetime: Int64

    /// A cookie as a dictionary key hashed in one pass over its bytes (`[UInt8]` hashes byte by byte: the cache's
    /// look-up and store were ~4 % of the relay's CPU per call in `perf ng`).
    struct Key: Hashable, Sendable {
        let bytes: [UInt8]

        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    private var replies: [Key: [UInt8]] = [:]
    /// Insertion order with expiry time, for eviction; stale positions are skipped.
    private var order: [(cookie: Key, expires: Int64)] = []
    private var head = 0

    /// - Parameters:
    ///   - capacity: entries kept at most (at least 1).
    ///   - lifetime: seconds an entry answers duplicates.
    public init(capacity: Int = 65536, lifetimeSeconds: Int64 = 30) {
        self.capacity = max(1, capacity)
        self.lifetime = SessionTime.seconds(max(0, lifetimeSeconds)).microseconds
    }

    /// Entries currently held.
    public var count: Int { replies.count }

    /// The stored reply for `cookie`, if it is fresh.
    public mutating func reply(for cookie: [UInt8], at now: SessionTime) -> [UInt8]? {
        expire(at: now)
        return replies[Key(bytes: cookie)]
    }

    /// Stores the reply sent for `cookie`.
    public mutating func store(_ reply: [UInt8], for cookie: [UInt8], at now: SessionTime) {
        expire(at: now)
        let key = Key(bytes: cookie)
        if replies.updateValue(reply, forKey: key) == nil {
            let (expires, overflow) = now.microseconds.addingReportingOverflow(lifetime)
            order.append((key, overflow ? .max : expires))
        }
        while replies.count > capacity, head < order.count {
            replies[order[head].cookie] = nil
            head += 1
        }
        compact()
    }

    private mutating func expire(at now: SessionTime) {
        while head < order.count, order[head].expires <= now.microseconds {
            replies[order[head].cookie] = nil
            head += 1
        }
        compact()
    }

    private mutating func compact() {
        if head > 1024, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
