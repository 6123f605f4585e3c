/// NAT keepalives for registered bindings (nathelper's NAT ping, RFC 5626 CRLF keepalive), sans-I/O.
///
/// A timing wheel with `interval / tick` slots: each tracked binding sits in one slot for its
/// whole life and is pinged when the wheel passes that slot, i.e. once per interval. New bindings
/// go to the least-loaded slot near a rotating cursor, so slot loads differ by at most one and
/// pings never burst: with N bindings a tick sends at most ⌈N / slots⌉. A tick touches only the
/// slots it passes (O(due pings)); no per-tick scan of all bindings.
///
/// Each ping has a fresh Call-ID and branch; any response to it (404/405/501 included) proves the
/// path alive. A binding still waiting for its previous ping when its slot comes round counts one
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
        var awaitingPing: UInt64?
        var pingSentAt: RegistrarInstant?
        var lost = 0
        var lastReplyAt: RegistrarInstant?
        var roundTrip: Int64?
        var pingsSent = 0
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
    private var byPeer: [RegistrarPeer: [Int]] = [:]
    private var outstanding: [UInt64: Int] = [:]
    private var slots: [[Int]]
    private var cursor = 0
    private var assignCursor = 0
    private var nextSlotAt: RegistrarInstant
    private var nextPingID: UInt64 = 0
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
        let prefix = callIDPrefix ?? "ka" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        builder = KeepalivePingBuilder(prefix: prefix, fromURI: configuration.fromURI)
        slots = Array(repeating: [], count: configuration.slotCount)
        nextSlotAt = start
    }

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
            var e = entries[id]
            if e.peer != binding.source { detachPeer(id, e.peer); byPeer[binding.source, default: []].append(id) }
            e.peer = binding.source
            e.socket = binding.socket
            e.contact = contact
            if let ping = e.awaitingPing { outstanding[ping] = nil }
            e.awaitingPing = nil
            e.lost = 0
            entries[id] = e
            return
        }
        let slot = leastLoadedSlot()
        let entry = Entry(key: binding.key, peer: binding.source, socket: binding.socket, contact: contact, slot: slot,
                          position: slots[slot].count)
        let id: Int
        if let free = freeIDs.popLast() {
            id = free
            entries[id] = entry
        } else {
            id = entries.count
            entries.append(entry)
        }
        slots[slot].append(id)
        index[binding.key] = id
        byPeer[binding.source, default: []].append(id)
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
        detachPeer(id, e.peer)
        if let ping = e.awaitingPing { outstanding[ping] = nil }
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
        guard let id = outstanding.removeValue(forKey: pingID), entries[id].live else { return true }
        Self.markAlive(&entries[id], now: now)
        counters.pingsAnswered += 1
        return true
    }

    /// Matches a reply from its raw bytes, before any parse: true when it answers one of our pings
    /// (the caller drops it). False leaves the message to the normal path, which still calls
    /// `noteTraffic` and `handleResponse`. A match counts as traffic from the binding's peer, so
    /// every binding behind that address is refreshed, as on the normal path.
    public mutating func handleReply(_ bytes: UnsafeRawBufferPointer, now: RegistrarInstant) -> Bool {
        guard let pingID = builder.pingID(inReply: bytes) else { return false }
        guard let id = outstanding[pingID], entries[id].live else { return true }  // late or duplicate
        noteTraffic(from: entries[id].peer, now: now)
        if outstanding.removeValue(forKey: pingID) != nil, entries[id].live {
            // Not listed under its peer (cannot happen today): answer it directly.
            Self.markAlive(&entries[id], now: now)
            counters.pingsAnswered += 1
        }
        return true
    }

    /// Any traffic from a peer (a CRLF pong, a request, a response) proves its bindings alive.
    public mutating func noteTraffic(from peer: RegistrarPeer, now: RegistrarInstant) {
        guard let ids = byPeer[peer] else { return }
        for id in ids where entries[id].live {
            // In place (`entries[id].…`): copying an entry out and back costs a retain and a
            // release of each of its strings and arrays, 5,000 times a second at 100k bindings.
            if let awaiting = entries[id].awaitingPing {
                outstanding[awaiting] = nil
                counters.pingsAnswered += 1
            }
            Self.markAlive(&entries[id], now: now)
        }
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
        var i = 0
        while i < slots[slot].count {
            let id = slots[slot][i]
            guard entries[id].live else {
                i += 1
                continue
            }
            if let previous = entries[id].awaitingPing {
                outstanding[previous] = nil
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
            nextPingID += 1
            let pingID = nextPingID
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
                let contact = entries[id].contact
                let template = template(socket: socket, transport: peer.transport)
                if batching {
                    batch.append(template: template, pingID: pingID, contact: contact, peer: peer, socket: socket,
                                 trackingID: id)
                } else {
                    actions.append(.sendPing(template.render(pingID: pingID, contact: contact), to: peer,
                                             socket: socket, pingID: pingID))
                }
                outstanding[pingID] = id
                counters.pingsSent += 1
            }
            i += 1
        }
    }

    private mutating func template(socket: LocalSocketRef, transport: RegistrarTransport) -> KeepalivePingTemplate {
        let key = TemplateKey(socket: socket, transport: transport)
        if let template = templates[key] { return template }
        let template = builder.template(transport: transport, sentBy: configuration.viaSentBy(socket))
        templates[key] = template
        return template
    }

    private mutating func detachPeer(_ id: Int, _ peer: RegistrarPeer) {
        guard var list = byPeer[peer] else { return }
        list.removeAll { $0 == id }
        byPeer[peer] = list.isEmpty ? nil : list
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
