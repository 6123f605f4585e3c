import CShims

/// The nfnetlink socket (`tdm_nft`) and the calls that go through it; one per forwarder.
///
/// Not thread-safe by itself: `KernelForwarder` only touches it under its mutex. The socket belongs to the network
/// namespace of the thread that created it, for its whole life.
final class NFTablesSocket {
    /// The nftables families the relay keeps a table in (one table of the same name per family).
    struct Families: OptionSet, Sendable, CustomStringConvertible {
        let rawValue: UInt32
        static let ip = Families(rawValue: TDM_NFT_FAMILY_IP)
        static let ip6 = Families(rawValue: TDM_NFT_FAMILY_IP6)
        static let both: Families = [.ip, .ip6]

        /// `ip`, `ip6`; both is `ip` in error messages (the table the relay has always had, and the one a
        /// capability probe names).
        var description: String { self == .ip6 ? "ip6" : "ip" }
    }

    private let handle: OpaquePointer

    init() throws(KernelForwarderError) {
        var opened: OpaquePointer?
        let code = tdm_nft_open(&opened)
        guard code == 0, let opened else {
            throw KernelForwarderError.from(code, operation: "open nfnetlink socket", creating: true)
        }
        handle = opened
    }

    deinit { tdm_nft_close(handle) }

    var sendCalls: UInt64 { tdm_nft_sendto_calls(handle) }
    var batches: UInt64 { tdm_nft_batches(handle) }

    /// Creates the table in every family of `families` in one transaction.
    func createTable(_ name: String, markMask: UInt32, capacity: UInt32,
                     families: Families = .both) throws(KernelForwarderError) {
        let code = tdm_nft_create_table(handle, name, markMask, capacity, families.rawValue)
        if code != 0 {
            throw KernelForwarderError.from(code, operation: "create table \(families) \(name)", creating: true)
        }
    }

    /// Deletes the table in every family of `families` in one transaction; missing tables are fine.
    func deleteTable(_ name: String, families: Families) throws(KernelForwarderError) {
        let code = tdm_nft_delete_table(handle, name, families.rawValue)
        if code != 0 { throw KernelForwarderError.from(code, operation: "delete table \(families) \(name)") }
    }

    func tableExists(_ name: String, family: Families) throws(KernelForwarderError) -> Bool {
        let code = tdm_nft_table_exists(handle, name, family.rawValue)
        if code < 0 { throw KernelForwarderError.from(code, operation: "get table \(family) \(name)") }
        return code == 1
    }

    func commit(table: String, removals: [tdm_nft_entry], additions: [tdm_nft_entry]) throws(KernelForwarderError) {
        let code = removals.withUnsafeBufferPointer { removing in
            additions.withUnsafeBufferPointer { adding in
                tdm_nft_commit(handle, table, removing.baseAddress, removing.count, adding.baseAddress, adding.count)
            }
        }
        if code != 0 { throw KernelForwarderError.from(code, operation: "update elements of table ip/ip6 \(table)") }
    }

    /// The `leg_mark` elements of one family's table, with their counters (`forEachLeg`, collected).
    func legs(table: String, family: Families) throws(KernelForwarderError) -> [tdm_nft_leg] {
        var result: [tdm_nft_leg] = []
        _ = try forEachLeg(table: table, family: family) { result.append($0) }
        return result
    }

    /// One dump of `leg_mark`, each element handed to `body` straight from the C buffer (no copy); returns the
    /// element count.
    func forEachLeg(table: String, family: Families,
                    _ body: (tdm_nft_leg) -> Void) throws(KernelForwarderError) -> Int {
        var pointer: UnsafeMutablePointer<tdm_nft_leg>?
        var count = 0
        let code = tdm_nft_dump_legs(handle, table, family.rawValue, &pointer, &count)
        defer { tdm_nft_free(pointer) }
        if code != 0 {
            throw KernelForwarderError.from(code, operation: "dump \(TDM_NFT_LEG_MAP) of table \(family) \(table)")
        }
        guard let pointer else { return 0 }
        for index in 0..<count { body(pointer[index]) }
        return count
    }

    /// One mark-keyed map of one family's table: mark → value.
    func markMap(table: String, family: Families, map: String) throws(KernelForwarderError)
        -> [UInt32: tdm_nft_mark_value] {
        var pointer: UnsafeMutablePointer<tdm_nft_mark_value>?
        var count = 0
        let code = tdm_nft_dump_mark_map(handle, table, family.rawValue, map, &pointer, &count)
        defer { tdm_nft_free(pointer) }
        if code != 0 { throw KernelForwarderError.from(code, operation: "dump \(map) of table \(family) \(table)") }
        guard let pointer else { return [:] }
        var values: [UInt32: tdm_nft_mark_value] = [:]
        for element in UnsafeBufferPointer(start: pointer, count: count) { values[element.mark] = element }
        return values
    }
}
