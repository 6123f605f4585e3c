/// NAT keepalives for registered bindings (nathelper's NAT ping, RFC 5626 CRLF keepalive), sans-I/O.
///
/// A timing wheel with `interval / tick` slots: each tracked binding sits in one slot for its
/// whole life and is pinged when the wheel passes that slot, i.e. once per interval. New bindings
/// go to the least-loaded slot near a rotating cursor, so slot loads differ by at most one and
/// pings never burst: with N bindings a tick sends at most ⌈N / slots⌉. A tick touches only the
/// slots it passes (O(due pings)); no per-tick scan of all bindings.
///
/// Each ping has a fresh Call-ID and branch carrying a `KeepalivePingToken` (the binding's index
/// and a sequence number), so a reply finds its binding by decoding, without a table look-up; any
/// response to it (404/405/501 included) proves the path alive. A binding still waiting for its previous ping when its slot comes round counts one
/// loss; after `maxPingsLost` in a row it is reported with `.bindingUnreachable`.
public struct KeepaliveScheduler: Sendable {
    struct Entry: Sendable {
        var key: RegistrarBindingKey
        var peer: RegistrarPeer
        var socket: LocalSocketRef
        /// The Request-URI/To of its pings, formatted once.
        var contact: [UInt8]
        var slot: Int
        var position: Int
        /// The token of the unanswered ping; a reply matches only if it carries exactly this.
        var awaitingPing: UInt64?
        var pingSentAt: RegistrarInstant?
        var lost = 0
        var lastReplyAt: RegistrarInstant?
        var roundTrip: Int64?
        var pingsSent = 0
        /// The other entries with the same peer, as a circular doubly linked list (itself when alone):
        /// a reply refreshes every binding behind its address without hashing the address.
        var samePeerNext: Int
        var samePeerPrevious: Int
        /// False once untracked: the slot waits in `freeIDs` for reuse.
        var live = true
    }

    public let configuration: KeepaliveConfiguration
    let builder: KeepalivePingBuilder
    /// Not optional, with `live` instead: reading a field of an `Entry?` element copied the whole entry out
    /// (a retain and release of its key's strings, its peer and its Contact bytes), several times per reply; a
    /// non-optional element is read and changed in place.
    private var entries: [Entry] = []
    private var freeIDs: [Int] = []
    private var index: [RegistrarBindingKey: Int] = [:]
    /// One entry of each peer's `samePeer` ring (only the general traffic path hashes a peer).
    private var byPeer: [RegistrarPeer: Int] = [:]
    private var slots: [[Int]]
    private var cursor = 0
    private var assignCursor = 0
    private var nextSlotAt: RegistrarInstant
    /// The sequence half of the next ping's token (wraps: a token only has to differ from the
    /// binding's previous ones, and a ping is outstanding for one interval at most).
    private var nextSequence: UInt32 = 0
    /// Ping templates by (socket, transport): built on first use, a handful per process.
    private var templates: [TemplateKey: KeepalivePingTemplate] = [:]
    private struct TemplateKey: Hashable {
        var socket: LocalSocketRef
        var transport: RegistrarTransport
    }
    public private(set) var counters = KeepaliveCounters()

    /// `start`: when slot 0 first fires. `callIDPrefix`: a random token per process (tests pass a fixed one).
    public init(configuration: KeepaliveConfiguration = KeepaliveConfiguration(), start: RegistrarInstant,
                callIDPrefix: String? = nil)
    {
        self.configuration = configuration
        let prefix = callIDPrefix ?? Self.randomCallIDPrefix()
        builder = KeepalivePingBuilder(prefix: prefix, fromURI: configuration.fromURI)
        slots = Array(repeating: [], count: configuration.slotCount)
        nextSlotAt = start
    }

    /// "ka" and 12 random base-36 characters: unique per process, and its first 8 bytes (`keepaliveMarker`) are
    /// what the transport's steering program looks for in replies.
    public static func randomCallIDPrefix() -> String {
        let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
        var bytes = Array("ka".utf8)
        for _ in 0..<12 { bytes.append(digits[Int.random(in: 0..<digits.count)]) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The Call-ID prefix of this scheduler's pings (also the start of their branch token after `z9hG4bK`).
    public var callIDPrefix: String { builder.prefix }

    public var trackedCount: Int { index.count }
    public var slotCount: Int { slots.count }

    /// Load of each slot (tests, metrics).
    public var slotLoads: [Int] { slots.map(\.count) }

    public func status(of key: RegistrarBindingKey) -> KeepaliveStatus? {
        guard let id = index[key], entries[id].live else { return nil }
        let e = entries[id]
        return KeepaliveStatus(lastReplyAt: e.lastReplyAt, roundTripMilliseconds: e.roundTrip, lostInARow: e.lost,
                               pingsSent: e.pingsSent)
    }

    /// Feeds the registrar's location changes: saved bindings that need keepalives are tracked
    /// (or updated: a refresh may come from a new NAT port), removed ones dropped.
    public mutating func apply(_ changes: [LocationChange]) {
        for change in changes {
            switch change {
            case .saved(let binding, _):
                if needsKeepalive(binding) { track(binding) } else { untrack(binding.key) }
            case .removed(let binding, _):
                untrack(binding.key)
            }
        }
    }

    public func needsKeepalive(_ binding: RegistrarBinding) -> Bool {
        if binding.source.transport.isStream { return configuration.crlfOnStreams }
        return binding.nat.isNATed || !configuration.pingNATedOnly
    }

    /// Starts (or refreshes) keepalives for a binding. A refresh is traffic: the loss count resets.
    public mutating func track(_ binding: RegistrarBinding) {
        let uri = (try? SIPURI(binding.key.contactURI)) ?? SIPURI(
            scheme: .sip, host: SIPHost(kind: .ipv4, text: binding.source.uriHost), port: binding.source.port)
        let contact = Array("\(uri)".utf8)
        if let id = index[binding.key], entries[id].live {
            if entries[id].peer != binding.source {
                detachPeer(id)
                entries[id].peer = binding.source
                attachPeer(id)
            }
            entries[id].socket = binding.socket
            entries[id].contact = contact
            entries[id].awaitingPing = nil
            entries[id].lost = 0
            return
        }
        let slot = leastLoadedSlot()
        let id = freeIDs.popLast() ?? entries.count
        let entry = Entry(key: binding.key, peer: binding.source, socket: binding.socket, contact: contact, slot: slot,
                          position: slots[slot].count, samePeerNext: id, samePeerPrevious: id)
        if id < entries.count { entries[id] = entry } else { entries.append(entry) }
        slots[slot].append(id)
        index[binding.key] = id
        attachPeer(id)
        counters.tracked = index.count
    }

    public mutating func untrack(_ key: RegistrarBindingKey) {
        guard let id = index.removeValue(forKey: key), entries[id].live else { return }
        let e = entries[id]
        // O(1) removal from the slot: move the slot's last id into this position.
        let last = slots[e.slot].removeLast()
        if last != id {
            slots[e.slot][e.position] = last
            entries[last].position = e.position
        }
        detachPeer(id)
        entries[id].awaitingPing = nil
        entries[id].live = false
        entries[id].contact = []
        freeIDs.append(id)
        counters.tracked = index.count
    }

    /// Fires every slot due by `now` (at most one full revolution per call, so a stalled caller
    /// does not get a burst of several intervals).
    public mutating func tick(now: RegistrarInstant) -> [KeepaliveAction] {
        var unused = KeepalivePingBatch()
        return tick(now: now, batchingInto: &unused, batching: false)
    }

    /// `tick(now:)` for a driver that sends a tick's UDP pings together: they are appended to
    /// `udpPings` (which the caller empties between ticks) instead of returned as `.sendPing`;
    /// CRLF pings and unreachable bindings still come back as actions.
    public mutating func tick(now: RegistrarInstant, udpPings: inout KeepalivePingBatch) -> [KeepaliveAction] {
        tick(now: now, batchingInto: &udpPings, batching: true)
    }

    private mutating func tick(now: RegistrarInstant, batchingInto batch: inout KeepalivePingBatch,
                               batching: Bool) -> [KeepaliveAction]
    {
        var actions: [KeepaliveAction] = []
        var fired = 0
        while nextSlotAt <= now && fired < slots.count {
            fire(slot: cursor, now: now, into: &actions, batch: &batch, batching: batching)
            cursor = (cursor + 1) % slots.count
            nextSlotAt = nextSlotAt.adding(milliseconds: configuration.tickMilliseconds)
            fired += 1
        }
        if nextSlotAt <= now {
            // Skipped a whole revolution: realign without firing again.
            let behind = (now.milliseconds - nextSlotAt.milliseconds) / configuration.tickMilliseconds + 1
            nextSlotAt = nextSlotAt.adding(milliseconds: behind * configuration.tickMilliseconds)
            cursor = (cursor + Int(behind % Int64(slots.count))) % slots.count
        }
        return actions
    }

    /// Matches a response to an outstanding ping; true when it was one (the caller then drops it).
    public mutating func handleResponse(_ response: SIPMessage, now: RegistrarInstant) -> Bool {
        guard let pingID = builder.pingID(of: response) else { return false }
        guard let id = awaitingEntry(pingID) else { return true }
        Self.markAlive(&entries[id], now: now)
        counters.pingsAnswered += 1
        return true
    }

    /// The live entry waiting for exactly this ping, from the token alone: O(1), no hashing. Nil
    /// for a late, duplicated or forged token (wrong sequence, index past the end, untracked).
    private func awaitingEntry(_ pingID: UInt64) -> Int? {
        let id = KeepalivePingToken(rawValue: pingID).trackingID
        guard id < entries.count, entries[id].live, entries[id].awaitingPing == pingID else { return nil }
        return id
    }

    /// Matches a reply from its raw bytes, before any parse: true when it answers one of our pings
    /// (the caller drops it). False leaves the message to the normal path, which still calls
    /// `noteTraffic` and `handleResponse`. A match counts as traffic from the binding's peer, so
    /// every binding behind that address is refreshed, as on the normal path.
    public mutating func handleReply(_ bytes: UnsafeRawBufferPointer, now: RegistrarInstant) -> Bool {
        guard let pingID = builder.pingID(inReply: bytes) else { return false }
        guard let id = awaitingEntry(pingID) else { return true }  // late, duplicate or forged
        noteTraffic(ringOf: id, now: now)
        return true
    }

    /// Any traffic from a peer (a CRLF pong, a request, a response) proves its bindings alive.
    public mutating func noteTraffic(from peer: RegistrarPeer, now: RegistrarInstant) {
        guard let id = byPeer[peer] else { return }
        noteTraffic(ringOf: id, now: now)
    }

    /// Marks `first` and every entry in its `samePeer` ring alive.
    private mutating func noteTraffic(ringOf first: Int, now: RegistrarInstant) {
        var id = first
        repeat {
            // In place (`entries[id].…`): copying an entry out and back costs a retain and a
            // release of each of its strings and arrays, 5,000 times a second at 100k bindings.
            if entries[id].awaitingPing != nil { counters.pingsAnswered += 1 }
            Self.markAlive(&entries[id], now: now)
            id = entries[id].samePeerNext
        } while id != first
    }

    private static func markAlive(_ e: inout Entry, now: RegistrarInstant) {
        if e.awaitingPing != nil, let sent = e.pingSentAt { e.roundTrip = now.milliseconds - sent.milliseconds }
        e.awaitingPing = nil
        e.lost = 0
        e.lastReplyAt = now
    }

    private mutating func fire(slot: Int, now: RegistrarInstant, into actions: inout [KeepaliveAction],
                               batch: inout KeepalivePingBatch, batching: Bool)
    {
        // The template of the previous ping: a slot's pings almost all leave the same socket, and a
        // look-up per ping hashed the key and retained the template's three arrays.
        var current: (key: TemplateKey, template: KeepalivePingTemplate)?
        var i = 0
        while i < slots[slot].count {
            let id = slots[slot][i]
            guard entries[id].live else {
                i += 1
                continue
            }
            if entries[id].awaitingPing != nil {
                entries[id].awaitingPing = nil
                entries[id].lost += 1
                let lost = entries[id].lost
                counters.pingsLost += 1
                if lost >= configuration.maxPingsLost {
                    let key = entries[id].key
                    actions.append(.bindingUnreachable(key, lostPings: lost))
                    counters.bindingsRemoved += 1
                    untrack(key)  // swaps another id into position i: do not advance
                    continue
                }
            }
            nextSequence &+= 1
            let pingID = KeepalivePingToken(trackingID: id, sequence: nextSequence).rawValue
            entries[id].pingSentAt = now
            entries[id].pingsSent += 1
            entries[id].awaitingPing = pingID
            // Field by field, never the whole entry: a copy of an `Entry` retains its key's
            // strings, its peer and its Contact bytes (it showed up in the keepalive profile).
            let peer = entries[id].peer
            let socket = entries[id].socket
            if peer.transport.isStream {
                actions.append(.sendCRLFPing(to: peer, socket: socket))
                counters.crlfPingsSent += 1
            } else {
                let key = TemplateKey(socket: socket, transport: peer.transport)
                let template: KeepalivePingTemplate
                if let current, current.key == key {
                    template = current.template
                } else {
                    template = self.template(key)
                    current = (key, template)
                }
                if batching {
                    entries[id].contact.withUnsafeBufferPointer { contact in
                        batch.append(template: template, pingID: pingID, contact: contact, peer: peer, socket: socket,
                                     trackingID: id)
                    }
                } else {
                    actions.append(.sendPing(template.render(pingID: pingID, contact: entries[id].contact), to: peer,
                                             socket: socket, pingID: pingID))
                }
                counters.pingsSent += 1
            }
            i += 1
        }
    }

    private mutating func template(_ key: TemplateKey) -> KeepalivePingTemplate {
        if let template = templates[key] { return template }
        let template = builder.template(transport: key.transport, sentBy: configuration.viaSentBy(key.socket))
        templates[key] = template
        return template
    }

    /// Links entry `id` into the ring of its peer (or starts one).
    private mutating func attachPeer(_ id: Int) {
        let peer = entries[id].peer
        guard let member = byPeer[peer] else {
            byPeer[peer] = id
            entries[id].samePeerNext = id
            entries[id].samePeerPrevious = id
            return
        }
        let next = entries[member].samePeerNext
        entries[id].samePeerPrevious = member
        entries[id].samePeerNext = next
        entries[member].samePeerNext = id
        entries[next].samePeerPrevious = id
    }

    /// Unlinks entry `id` from its peer's ring, in O(1).
    private mutating func detachPeer(_ id: Int) {
        let next = entries[id].samePeerNext
        let previous = entries[id].samePeerPrevious
        let peer = entries[id].peer
        if next == id {
            if byPeer[peer] == id { byPeer[peer] = nil }
        } else {
            entries[previous].samePeerNext = next
            entries[next].samePeerPrevious = previous
            if byPeer[peer] == id { byPeer[peer] = next }
        }
        entries[id].samePeerNext = id
        entries[id].samePeerPrevious = id
    }

    /// The first slot from the rotating cursor whose load is at most the floor of the mean: one
    /// always exists, and with the cursor moving on it is usually the first one looked at.
    private mutating func leastLoadedSlot() -> Int {
        let target = index.count / slots.count
        for step in 0..<slots.count {
            let slot = (assignCursor + step) % slots.count
            if slots[slot].count <= target {
                assignCursor = (slot + 1) % slots.count
                return slot
            }
        }
        return assignCursor
    }
}
