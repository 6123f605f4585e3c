/// What the kernel matches a packet on: who sent it (the peer's learned source) and where it arrived (the relay's
/// local socket address).
///
/// Why the peer is part of the key: the userspace data plane drops packets from anyone but the latched source
/// (RTP-bleed protection). Keying on the local address alone would let any host on the Internet inject media into
/// the call at kernel speed. With the source in the key, a packet from an unexpected source simply misses the map
/// and reaches the relay's still-open socket, where the userspace latching rules judge it.
public struct KernelStreamKey: Sendable, Hashable, CustomStringConvertible {
    /// The learned remote source of the leg (IPv4 for now).
    public let peer: SocketEndpoint
    /// The relay's address and port the peer sends to.
    public let local: SocketEndpoint

    public init(peer: SocketEndpoint, local: SocketEndpoint) {
        self.peer = peer
        self.local = local
    }

    public var description: String { "\(peer) → \(local)" }
}

/// Packets and bytes the kernel forwarded for one leg (the `leg_mark` element's counter).
public struct KernelStreamCounters: Sendable, Hashable {
    public var packets: UInt64
    public var bytes: UInt64

    public init(packets: UInt64, bytes: UInt64) {
        self.packets = packets
        self.bytes = bytes
    }
}
