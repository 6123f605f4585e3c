import CShims
#if canImport(Glibc)
import Glibc
#endif

/// A STUN message a worker took out of the media path (see `WorkerContext.divertSTUN`): which stream socket it
/// arrived on, from where, and its bytes.
public struct DivertedSTUNMessage: Sendable {
    public var stream: StreamID
    public var source: SocketEndpoint
    public var bytes: [UInt8]
}

extension DataPlane {
    /// A descriptor that becomes readable (eventfd, non-blocking) whenever a worker put a STUN message in its
    /// inbox: control polls it next to its other descriptors instead of checking the inboxes on a timer.
    public var stunFD: Int32 { stunEvents }

    /// Resets `stunFD`, then hands every STUN message waiting in the workers' inboxes to `body`, oldest first per
    /// worker. Control thread only (each inbox has one consumer). Messages whose source is not IPv4/IPv6 are
    /// skipped.
    public func takeSTUNMessages(_ body: (DivertedSTUNMessage) -> Void) {
        var value: UInt64 = 0
        _ = read(stunEvents, &value, 8)
        for handle in workers {
            var slot: UInt32 = 0
            var generation: UInt32 = 0
            var source = tdm_endpoint()
            var bytes: UnsafePointer<UInt8>?
            var length: UInt32 = 0
            while tdm_stun_inbox_peek(handle.stunInbox, &slot, &generation, &source, &bytes, &length) {
                let copy = bytes.map { Array(UnsafeBufferPointer(start: $0, count: Int(length))) } ?? []
                tdm_stun_inbox_release(handle.stunInbox)
                guard let endpoint = SocketEndpoint(source) else { continue }
                body(DivertedSTUNMessage(stream: StreamID(slot: slot, generation: generation), source: endpoint,
                                         bytes: copy))
            }
        }
    }
}
