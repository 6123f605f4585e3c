import CShims

/// The nfnetlink socket (`tdm_nft`) and the calls that go through it; one per forwarder.
///
/// Not thread-safe by itself: `KernelForwarder` only touches it under its mutex. The socket belongs to the network
/// namespace of the thread that created it, for its whole life.
final class NFTablesSocket {
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

    func createTable(_ name: String, markMask: UInt32, capacity: UInt32) throws(KernelForwarderError) {
        let code = tdm_nft_create_table(handle, name, markMask, capacity)
        if code != 0 { throw KernelForwarderError.from(code, operation: "create table ip \(name)", creating: true) }
    }

    func deleteTable(_ name: String) throws(KernelForwarderError) {
        let code = tdm_nft_delete_table(handle, name)
        if code != 0 { throw KernelForwarderError.from(code, operation: "delete table ip \(name)") }
    }

    func tableExists(_ name: String) throws(KernelForwarderError) -> Bool {
        let code = tdm_nft_table_exists(handle, name)
        if code < 0 { throw KernelForwarderError.from(code, operation: "get table ip \(name)") }
        return code == 1
    }

    func commit(table: String, removals: [tdm_nft_entry], additions: [tdm_nft_entry]) throws(KernelForwarderError) {
        let code = removals.withUnsafeBufferPointer { removing in
            additions.withUnsafeBufferPointer { adding in
                tdm_nft_commit(handle, table, removing.baseAddress, removing.count, adding.baseAddress, adding.count)
            }
        }
        if code != 0 { throw KernelForwarderError.from(code, operation: "update elements of table ip \(table)") }
    }

    func legs(table: String) throws(KernelForwarderError) -> [tdm_nft_leg] {
        var pointer: UnsafeMutablePointer<tdm_nft_leg>?
        var count = 0
        let code = tdm_nft_dump_legs(handle, table, &pointer, &count)
        defer { tdm_nft_free(pointer) }
        if code != 0 { throw KernelForwarderError.from(code, operation: "dump \(TDM_NFT_LEG_MAP) of table ip \(table)") }
        guard let pointer else { return [] }
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    func markMap(table: String, map: String) throws(KernelForwarderError) -> [UInt32: UInt32] {
        var pointer: UnsafeMutablePointer<tdm_nft_mark_value>?
        var count = 0
        let code = tdm_nft_dump_mark_map(handle, table, map, &pointer, &count)
        defer { tdm_nft_free(pointer) }
        if code != 0 { throw KernelForwarderError.from(code, operation: "dump \(map) of table ip \(table)") }
        guard let pointer else { return [:] }
        var values: [UInt32: UInt32] = [:]
        for element in UnsafeBufferPointer(start: pointer, count: count) { values[element.mark] = element.value }
        return values
    }
}
