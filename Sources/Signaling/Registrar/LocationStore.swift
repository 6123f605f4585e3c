/// What a location look-up found.
public enum LocationLookupResult: Sendable, Hashable {
    /// Live bindings, highest q first, then the most recently refreshed.
    case found([RegistrarBinding])
    /// The AOR has never registered here (a proxy answers 404).
    case notFound
    /// The AOR is known but has no live binding (a proxy answers 480 Temporarily Unavailable).
    case allExpired
}

/// The in-memory location table, source of truth for look-ups (the SQLite file only lets it
/// survive restarts). AOR → a small array of bindings (a handful per user), plus an expiry heap
/// so that sweeping costs only the expired entries. An AOR whose last binding went away is kept
/// as an empty entry so that a look-up can tell "offline" (480) from "unknown" (404).
public struct LocationStore: Sendable {
    private var byAOR: [AddressOfRecord: [RegistrarBinding]] = [:]
    private var expiry = BindingExpiryHeap()
    /// Stream (TCP/TLS/WS) bindings by the connection's remote end: when a connection closes, its
    /// bindings are found without a scan.
    private var byStreamSource: [RegistrarPeer: [RegistrarBindingKey]] = [:]
    public private(set) var bindingCount = 0

    public init() {}

    /// AORs with at least one stored binding (expired or not).
    public var registeredAORCount: Int { byAOR.values.reduce(0) { $0 + ($1.isEmpty ? 0 : 1) } }

    /// Stored bindings of an AOR, expired ones included, in storage order.
    public func storedBindings(of aor: AddressOfRecord) -> [RegistrarBinding] { byAOR[aor] ?? [] }

    /// How many bindings an AOR has stored, expired ones included (no copy of the list).
    public func storedBindingCount(of aor: AddressOfRecord) -> Int { byAOR[aor]?.count ?? 0 }

    public func binding(_ key: RegistrarBindingKey) -> RegistrarBinding? {
        byAOR[key.aor]?.first { $0.key.contactURI == key.contactURI }
    }

    /// Every stored binding (for snapshots and tests), in no particular order.
    public var allBindings: [RegistrarBinding] { byAOR.values.flatMap { $0 } }

    /// Live bindings in routing order: q descending, then most recently refreshed first.
    public func activeBindings(of aor: AddressOfRecord, now: RegistrarInstant) -> [RegistrarBinding] {
        guard let stored = byAOR[aor] else { return [] }
        // One binding (a phone per user, the usual case): the stored array as is, no filter and sort copies.
        if stored.count == 1 { return stored[0].isExpired(at: now) ? [] : stored }
        return stored.filter { !$0.isExpired(at: now) }.sorted {
            if $0.q != $1.q { return $0.q > $1.q }
            if $0.updatedAt != $1.updatedAt { return $0.updatedAt > $1.updatedAt }
            return $0.key.contactURI < $1.key.contactURI
        }
    }

    public func lookup(_ aor: AddressOfRecord, now: RegistrarInstant) -> LocationLookupResult {
        guard byAOR[aor] != nil else { return .notFound }
        let live = activeBindings(of: aor, now: now)
        return live.isEmpty ? .allExpired : .found(live)
    }

    /// Inserts or replaces a binding; returns true when it is new.
    ///
    /// The AOR's array is edited in place (`&byAOR[aor, default: []]`): copying it out and back
    /// made every REGISTER copy the whole array (copy-on-write) and retain every binding in it.
    @discardableResult
    public mutating func save(_ binding: RegistrarBinding) -> Bool {
        let old = Self.upsert(binding, into: &byAOR[binding.key.aor, default: []])
        guard let old else {
            bindingCount += 1
            expiry.push(binding.expiresAt, binding.key)
            indexStream(binding)
            return true
        }
        if old.expiresAt != binding.expiresAt { expiry.push(binding.expiresAt, binding.key) }
        if old.source != binding.source {
            unindexStream(old)
            indexStream(binding)
        }
        return false
    }

    /// Replaces the binding with the same Contact (returning the old one) or appends it (nil).
    private static func upsert(_ binding: RegistrarBinding, into list: inout [RegistrarBinding]) -> RegistrarBinding? {
        guard let i = list.firstIndex(where: { $0.key.contactURI == binding.key.contactURI }) else {
            list.append(binding)
            return nil
        }
        let old = list[i]
        list[i] = binding
        return old
    }

    @discardableResult
    public mutating func remove(_ key: RegistrarBindingKey) -> RegistrarBinding? {
        guard let i = byAOR[key.aor]?.firstIndex(where: { $0.key.contactURI == key.contactURI }),
              let removed = byAOR[key.aor]?.remove(at: i)
        else { return nil }
        bindingCount -= 1
        unindexStream(removed)
        return removed
    }

    /// Keys of the bindings registered over the stream connection whose remote end is `source`.
    public func streamBindings(from source: RegistrarPeer) -> [RegistrarBindingKey] {
        byStreamSource[source] ?? []
    }

    private mutating func indexStream(_ binding: RegistrarBinding) {
        guard binding.source.transport.isStream else { return }
        byStreamSource[binding.source, default: []].append(binding.key)
    }

    private mutating func unindexStream(_ binding: RegistrarBinding) {
        guard binding.source.transport.isStream, var keys = byStreamSource[binding.source] else { return }
        keys.removeAll { $0 == binding.key }
        byStreamSource[binding.source] = keys.isEmpty ? nil : keys
    }

    /// Removes and returns every binding expired at `now`, earliest first.
    public mutating func removeExpired(now: RegistrarInstant) -> [RegistrarBinding] {
        var removed: [RegistrarBinding] = []
        while let top = expiry.peek, top.at <= now {
            _ = expiry.pop()
            // Skip stale heap entries: the binding was refreshed (later expiry) or already removed.
            guard let current = binding(top.key), current.expiresAt == top.at else { continue }
            if let gone = remove(top.key) { removed.append(gone) }
        }
        if expiry.count > 2 * bindingCount + 1024 {
            // Entries straight from the table: going through `allBindings` copied every binding first.
            var live: [BindingExpiryHeap.Entry] = []
            live.reserveCapacity(bindingCount)
            for list in byAOR.values {
                for binding in list { live.append(BindingExpiryHeap.Entry(at: binding.expiresAt, key: binding.key)) }
            }
            expiry.rebuild(live)
        }
        return removed
    }

    /// Loads bindings read from persistence, dropping those already expired at `now`; returns the
    /// dropped ones (so that the caller can delete them from the file too).
    @discardableResult
    public mutating func load(_ bindings: [RegistrarBinding], now: RegistrarInstant) -> [RegistrarBinding] {
        var dropped: [RegistrarBinding] = []
        for binding in bindings {
            if binding.isExpired(at: now) { dropped.append(binding) } else { save(binding) }
        }
        return dropped
    }

    /// Forgets AORs without bindings (turning their look-ups from 480 back into 404).
    public mutating func forgetEmptyAORs() {
        byAOR = byAOR.filter { !$0.value.isEmpty }
    }
}
