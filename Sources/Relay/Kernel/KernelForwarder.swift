import CShims
import Synchronization

/// Forwards established relayed UDP streams in the kernel with stock nftables: its own table (one per family,
/// `ip` and `ip6`, same name, same shape), a map from (peer source . local address) to a mark, and four
/// mark-keyed maps holding the rewrite. See README.md.
///
/// Every change is one netlink batch (one `sendto`, one transaction), so a call's two legs appear and disappear
/// together, and installing a thousand legs costs a handful of syscalls. The forwarder keeps the installed legs
/// and their marks in memory; `adoptExisting()` rebuilds that memory from the kernel after a restart. One mark
/// allocator serves both families, so a mark names one leg across both tables.
///
/// Create it on a thread inside the relay's network namespace (the netlink socket stays in that namespace);
/// afterwards any thread may call it, calls are serialised by a mutex.
public final class KernelForwarder: Sendable {
    public let configuration: KernelForwarderConfiguration
    private let state: Mutex<State>

    private struct Installed {
        var mark: UInt32
        var entry: KernelStreamEntry
    }

    private struct State {
        let socket: NFTablesSocket
        var installed: [KernelStreamKey: Installed] = [:]
        var marks: KernelMarkAllocator
        /// The families whose table this forwarder uses: both, or `ip` alone on a kernel without nf_tables IPv6
        /// (`CONFIG_NF_TABLES_IPV6=n`), where IPv6 streams stay in userspace instead of costing IPv4 its offload.
        var families: NFTablesSocket.Families = .both
    }

    /// Opens the netlink socket; changes nothing in the kernel yet.
    public init(configuration: KernelForwarderConfiguration = KernelForwarderConfiguration()) throws(KernelForwarderError) {
        try configuration.validate()
        self.configuration = configuration
        let socket = try NFTablesSocket()
        state = Mutex(State(socket: socket, marks: KernelMarkAllocator(configuration: configuration)))
    }

    // MARK: Table

    /// Creates the `ip` and `ip6` tables with their maps, chains and rules in one transaction, replacing tables
    /// of the same name (and forgetting every leg). This is also the capability probe: without CAP_NET_ADMIN,
    /// nf_tables or one of the expressions it throws `.missingCapability` / `.unsupported`. A kernel that supports
    /// the `ip` table but not the `ip6` one gets the `ip` table alone (`offloadsIPv6` false).
    public func createTable() throws(KernelForwarderError) {
        try state.withLock { (state: inout State) throws(KernelForwarderError) in
            do throws(KernelForwarderError) {
                try state.socket.createTable(configuration.tableName, markMask: configuration.markMask,
                                             capacity: configuration.markCapacity, families: .both)
                state.families = .both
            } catch .unsupported {
                try state.socket.createTable(configuration.tableName, markMask: configuration.markMask,
                                             capacity: configuration.markCapacity, families: .ip)
                state.families = .ip
            }
            state.installed = [:]
            state.marks.reset(inUse: [])
        }
    }

    /// Whether IPv6 streams can be offloaded (the `ip6` table is in use); false only on a kernel without
    /// nf_tables IPv6 support. The relay keeps IPv6 streams in userspace then.
    public var offloadsIPv6: Bool { state.withLock { $0.families.contains(.ip6) } }

    /// Whether the table exists in either family (for choosing between `createTable()` and `adoptExisting()`).
    public func tableExists() throws(KernelForwarderError) -> Bool {
        try state.withLock { (state: inout State) throws(KernelForwarderError) in
            if try state.socket.tableExists(configuration.tableName, family: .ip) { return true }
            // A kernel without nf_tables IPv6 cannot have an ip6 table.
            return (try? state.socket.tableExists(configuration.tableName, family: .ip6)) ?? false
        }
    }

    /// Deletes both families' tables and everything in them (clean stop), in one transaction. A missing table is
    /// not an error.
    public func removeTable() throws(KernelForwarderError) {
        try state.withLock { (state: inout State) throws(KernelForwarderError) in
            try state.socket.deleteTable(configuration.tableName, families: state.families)
            state.installed = [:]
            state.marks.reset(inUse: [])
        }
    }

    /// Takes over the tables a previous process left behind (after a crash or `kill -9` the kernel keeps
    /// forwarding): reads all five maps of both families and rebuilds the installed legs and the mark allocator
    /// from them. The existing tables are not changed, so forwarding never pauses. When only one family's table
    /// exists (left by a version without IPv6 offload), the other is created empty.
    ///
    /// - Returns: the legs found, complete ones only. A leg whose rewrite maps are incomplete is reported as
    ///   `.adoptionMismatch` rather than guessed.
    @discardableResult
    public func adoptExisting() throws(KernelForwarderError) -> [KernelStreamEntry] {
        try state.withLock { (state: inout State) throws(KernelForwarderError) in
            let table = configuration.tableName
            var missing: NFTablesSocket.Families = []
            if try !state.socket.tableExists(table, family: .ip) { missing.insert(.ip) }
            if (try? state.socket.tableExists(table, family: .ip6)) != true { missing.insert(.ip6) }
            guard missing != .both else { throw .tableMissing(table) }
            state.families = .both
            if !missing.isEmpty {
                do throws(KernelForwarderError) {
                    try state.socket.createTable(table, markMask: configuration.markMask,
                                                 capacity: configuration.markCapacity, families: missing)
                } catch .unsupported where missing == .ip6 {
                    state.families = .ip
                }
            }
            try load(&state)
            return state.installed.values.map(\.entry)
        }
    }

    // MARK: Legs

    /// Installs legs, or updates the rewrite of legs already installed (their counters are kept), in one batch.
    /// Either all of them are installed or none is.
    /// When a key appears more than once, the last entry wins.
    public func install(_ entries: [KernelStreamEntry]) throws(KernelForwarderError) {
        for entry in entries { try entry.validate() }
        if entries.contains(where: { $0.ipVersion == 6 }), !offloadsIPv6 {
            throw .invalidEntry("this kernel has no nf_tables IPv6 support: IPv6 streams stay in userspace")
        }
        var seen = Set<KernelStreamKey>()
        let entries = Array(entries.reversed().filter { seen.insert($0.key).inserted }.reversed())
        try state.withLock { (state: inout State) throws(KernelForwarderError) in
            var removals: [tdm_nft_entry] = []
            var additions: [tdm_nft_entry] = []
            var next = state.installed
            var allocator = state.marks
            for entry in entries {
                if let existing = next[entry.key] {
                    guard existing.entry != entry else { continue }
                    removals.append(existing.entry.raw(mark: existing.mark, withLeg: false))
                    additions.append(entry.raw(mark: existing.mark, withLeg: false))
                    next[entry.key] = Installed(mark: existing.mark, entry: entry)
                } else {
                    guard let mark = allocator.allocate() else {
                        throw .marksExhausted(capacity: Int(configuration.markCapacity))
                    }
                    additions.append(entry.raw(mark: mark, withLeg: true))
                    next[entry.key] = Installed(mark: mark, entry: entry)
                }
            }
            guard !additions.isEmpty else { return }
            try commit(&state, removals: removals, additions: additions)
            state.installed = next
            state.marks = allocator
        }
    }

    /// Removes legs (unknown keys are ignored) in one batch; their packets go to the userspace sockets again.
    public func remove(_ keys: [KernelStreamKey]) throws(KernelForwarderError) {
        try state.withLock { (state: inout State) throws(KernelForwarderError) in
            var removals: [tdm_nft_entry] = []
            var marks: [UInt32] = []
            for key in Set(keys) {
                guard let existing = state.installed[key] else { continue }
                removals.append(existing.entry.raw(mark: existing.mark, withLeg: true))
                marks.append(existing.mark)
            }
            guard !removals.isEmpty else { return }
            try commit(&state, removals: removals, additions: [])
            for key in keys { state.installed[key] = nil }
            for mark in marks { state.marks.release(mark) }
        }
    }

    /// Packets and bytes per leg, from one dump of each family's `leg_mark` map's per-element counters. Legs
    /// installed by someone else in the tables are reported too.
    public func readCounters() throws(KernelForwarderError) -> [KernelStreamKey: KernelStreamCounters] {
        try state.withLock { (state: inout State) throws(KernelForwarderError) in
            var counters: [KernelStreamKey: KernelStreamCounters] = [:]
            for family in [NFTablesSocket.Families.ip, .ip6] where state.families.contains(family) {
                for leg in try state.socket.legs(table: configuration.tableName, family: family) {
                    guard let key = KernelForwarder.key(of: leg) else { continue }
                    counters[key] = KernelStreamCounters(packets: leg.packets, bytes: leg.bytes)
                }
            }
            return counters
        }
    }

    /// The same dump as `readCounters`, without building a key per element: `body` gets each element's mark, its
    /// local (relay) port as a cheap check, and its counters. The relay folds these into its legs by mark (marks
    /// are unique among installed legs, see `marks(of:)`), so a read of 10,000 elements allocates no address arrays
    /// and no dictionary. Returns the number of elements (ours and any others in the tables).
    public func forEachLegCounter(
        _ body: (_ mark: UInt32, _ localPort: UInt16, _ counters: KernelStreamCounters) -> Void
    ) throws(KernelForwarderError) -> Int {
        try state.withLock { (state: inout State) throws(KernelForwarderError) -> Int in
            var elements = 0
            for family in [NFTablesSocket.Families.ip, .ip6] where state.families.contains(family) {
                elements += try state.socket.forEachLeg(table: configuration.tableName, family: family) { leg in
                    body(leg.mark, leg.local_port, KernelStreamCounters(packets: leg.packets, bytes: leg.bytes))
                }
            }
            return elements
        }
    }

    /// The mark of each installed key, nil for a key not installed: what `forEachLegCounter` reports it under.
    /// A mark changes only when its leg is removed (and the mark later given to another leg).
    public func marks(of keys: [KernelStreamKey]) -> [UInt32?] {
        state.withLock { state in keys.map { state.installed[$0]?.mark } }
    }

    /// The legs this forwarder believes are installed.
    public var installedEntries: [KernelStreamEntry] {
        state.withLock { $0.installed.values.map(\.entry) }
    }

    /// `sendto(2)` calls made so far (one per batch or dump request): lets tests and metrics verify batching.
    public var netlinkSendCalls: UInt64 { state.withLock { $0.socket.sendCalls } }

    /// Batches (transactions) sent so far.
    public var netlinkBatches: UInt64 { state.withLock { $0.socket.batches } }

    // MARK: Internals

    /// Sends one change; on failure the in-memory view is re-read from the kernel, because a change larger than
    /// one batch may have been applied in part.
    private func commit(_ state: inout State, removals: [tdm_nft_entry],
                        additions: [tdm_nft_entry]) throws(KernelForwarderError) {
        do {
            try state.socket.commit(table: configuration.tableName, removals: removals, additions: additions)
        } catch {
            try? load(&state)
            throw error
        }
    }

    /// Rebuilds `installed` and the allocator from the kernel's maps (five dumps per family).
    private func load(_ state: inout State) throws(KernelForwarderError) {
        var installed: [KernelStreamKey: Installed] = [:]
        var marks = Set<UInt32>()
        for family in [NFTablesSocket.Families.ip, .ip6] where state.families.contains(family) {
            try load(family, from: state.socket, into: &installed, marks: &marks)
        }
        state.installed = installed
        state.marks.reset(inUse: installed.values.map(\.mark))
    }

    private func load(_ family: NFTablesSocket.Families, from socket: NFTablesSocket,
                      into installed: inout [KernelStreamKey: Installed],
                      marks: inout Set<UInt32>) throws(KernelForwarderError) {
        let table = configuration.tableName
        let legs = try socket.legs(table: table, family: family)
        guard !legs.isEmpty else { return }
        let daddr = try socket.markMap(table: table, family: family, map: TDM_NFT_OUT_DADDR)
        let dport = try socket.markMap(table: table, family: family, map: TDM_NFT_OUT_DPORT)
        let saddr = try socket.markMap(table: table, family: family, map: TDM_NFT_OUT_SADDR)
        let sport = try socket.markMap(table: table, family: family, map: TDM_NFT_OUT_SPORT)
        for leg in legs {
            guard let key = KernelForwarder.key(of: leg) else { continue }
            guard leg.mark & ~configuration.markMask == 0, leg.mark != 0 else {
                throw .adoptionMismatch("leg \(key) has mark \(KernelMarkAllocator.hex(leg.mark)) outside the mask "
                                        + KernelMarkAllocator.hex(configuration.markMask))
            }
            // A mark names one leg across both tables (one allocator); a duplicate means a foreign table.
            guard marks.insert(leg.mark).inserted else {
                throw .adoptionMismatch("leg \(key) reuses mark \(KernelMarkAllocator.hex(leg.mark))")
            }
            guard let to = daddr[leg.mark], let toPort = dport[leg.mark], let from = saddr[leg.mark],
                  let fromPort = sport[leg.mark],
                  let toAddress = KernelStreamEntry.endpoint(to.address, length: Int(to.address_len), port: toPort.port),
                  let fromAddress = KernelStreamEntry.endpoint(from.address, length: Int(from.address_len),
                                                               port: fromPort.port),
                  toAddress.family == key.peer.family, fromAddress.family == key.peer.family else {
                throw .adoptionMismatch("leg \(key) (mark \(KernelMarkAllocator.hex(leg.mark))) has no complete rewrite")
            }
            let entry = KernelStreamEntry(key: key, source: fromAddress, destination: toAddress)
            installed[key] = Installed(mark: leg.mark, entry: entry)
        }
    }

    private static func key(of leg: tdm_nft_leg) -> KernelStreamKey? {
        let length = leg.ip_version == 6 ? 16 : 4
        guard let peer = KernelStreamEntry.endpoint(leg.peer_addr, length: length, port: leg.peer_port),
              let local = KernelStreamEntry.endpoint(leg.local_addr, length: length, port: leg.local_port) else {
            return nil
        }
        return KernelStreamKey(peer: peer, local: local)
    }
}
