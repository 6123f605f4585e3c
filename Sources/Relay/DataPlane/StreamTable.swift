import CShims

/// The stream slots shared by control and workers: one `tdm_stream` per possible stream socket, allocated once
/// for the data plane's lifetime so that the per-packet path only ever does pointer arithmetic.
///
/// `@unchecked Sendable`: the memory is shared on purpose. Who may write which field is fixed by the slot state
/// (see `tdm_stream` in DataPlaneShims.h); the words both sides touch go through C atomics.
final class StreamTable: @unchecked Sendable {
    let base: UnsafeMutablePointer<tdm_stream>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutablePointer<tdm_stream>.allocate(capacity: capacity)
        base.initialize(repeating: tdm_stream(), count: capacity)
        for index in 0..<capacity {
            base[index].fd = -1
            base[index].peer = TDM_NO_PEER
            base[index].rtcp_peer = TDM_NO_PEER
        }
    }

    deinit {
        base.deinitialize(count: capacity)
        base.deallocate()
    }

    @inline(__always)
    func slot(_ index: UInt32) -> UnsafeMutablePointer<tdm_stream> { base + Int(index) }
}

/// Accessors for the words of a slot that cross threads.
extension UnsafeMutablePointer where Pointee == tdm_stream {
    @inline(__always) var state: UInt32 { tdm_load_acquire_u32(&pointee.state) }
    @inline(__always) func setState(_ value: Int) { tdm_store_release_u32(&pointee.state, UInt32(value)) }
    @inline(__always) var generation: UInt32 { tdm_load_acquire_u32(&pointee.generation) }
    @inline(__always) func setGeneration(_ value: UInt32) { tdm_store_release_u32(&pointee.generation, value) }

    /// True while the stream named by `generation` is registered with its worker (and not being removed).
    @inline(__always) func isActive(generation expected: UInt32) -> Bool {
        state == UInt32(TDM_STREAM_ACTIVE) && generation == expected
    }
}
