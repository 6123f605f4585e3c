/// What the kernel offload is doing, for metrics and `statistics`: published by the control thread after every
/// clock tick.
public struct KernelOffloadStatus: Sendable, Hashable {
    /// The kernel path is active (false: `--kernel off`, or `auto` fell back to userspace).
    public var active = false
    /// Packet streams (one per direction and RTP/RTCP) the kernel forwards now.
    public var offloadedStreams = 0
    /// Packets and bytes (whole IP datagrams) the kernel forwarded, including streams already taken back.
    public var packets: UInt64 = 0
    public var bytes: UInt64 = 0
    /// Batches that failed to install, and the last failure's text.
    public var installErrors: UInt64 = 0
    public var lastInstallError: String?
    /// Calls re-adopted from the kernel table and the journal at start.
    public var adoptedCalls = 0

    public init() {}
}

/// One rule the kernel forwards: its two table entries (one per direction) and the session streams that count
/// them.
struct OffloadedRule: Sendable {
    var callID: String
    var entries: [KernelStreamEntry]
    /// `entries[i]` counts packets received from the side whose stream is `streams[i]`.
    var streams: [MediaStreamID]
}

/// The kernel counters of one offloaded direction as last read, and when they last moved (for timeouts).
struct KernelLegCounters: Sendable {
    var key: KernelStreamKey
    /// The element's mark, under which the counter dump reports it (0: not known, the leg is not folded).
    var mark: UInt32 = 0
    var counters: KernelStreamCounters
    var lastChange: SessionTime?
}

extension KernelLegCounters {
    /// Takes one dump's counters for this leg (when the element's local port agrees: a cheap check that the mark
    /// still names this leg); a change of the packet count makes `now` its last activity.
    /// Returns whether it took them.
    @discardableResult
    mutating func fold(_ current: KernelStreamCounters, localPort: UInt16, at now: SessionTime) -> Bool {
        guard localPort == key.local.port else { return false }
        if current.packets != counters.packets { lastChange = now }
        counters = current
        return true
    }
}
