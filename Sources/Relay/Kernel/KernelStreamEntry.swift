import CShims

/// One direction of a relayed stream as the kernel forwards it: a packet matching `key` leaves from `source` (the
/// relay's socket address of the other leg) toward `destination` (the other leg's peer).
public struct KernelStreamEntry: Sendable, Hashable, CustomStringConvertible {
    public let key: KernelStreamKey
    /// The relay's address and port the packet leaves from (the other leg's local socket).
    public let source: SocketEndpoint
    /// Where the packet goes (the other leg's learned or advertised peer).
    public let destination: SocketEndpoint

    public init(key: KernelStreamKey, source: SocketEndpoint, destination: SocketEndpoint) {
        self.key = key
        self.source = source
        self.destination = destination
    }

    /// Both directions of a call: A sends to `localA`, B to `localB`; each side's packets leave from the other's
    /// local socket toward the other peer.
    public static func pair(peerA: SocketEndpoint, localA: SocketEndpoint,
                            peerB: SocketEndpoint, localB: SocketEndpoint) -> [KernelStreamEntry] {
        [KernelStreamEntry(key: KernelStreamKey(peer: peerA, local: localA), source: localB, destination: peerB),
         KernelStreamEntry(key: KernelStreamKey(peer: peerB, local: localB), source: localA, destination: peerA)]
    }

    public var description: String { "\(key) ⇒ \(source) → \(destination)" }

    /// Rejects what the IPv4 table cannot express.
    func validate() throws(KernelForwarderError) {
        for endpoint in [key.peer, key.local, source, destination] {
            guard endpoint.family == AF_INET, endpoint.addressBytes.count == 4 else {
                throw .invalidEntry("\(self): only IPv4 streams are offloaded (IPv6 stays in userspace)")
            }
            guard endpoint.port != 0 else { throw .invalidEntry("\(self): port 0") }
        }
    }

    /// The C representation with `mark`.
    func raw(mark: UInt32, withLeg: Bool) -> tdm_nft_entry {
        var entry = tdm_nft_entry()
        entry.peer_addr = KernelStreamEntry.networkOrder(key.peer)
        entry.peer_port = key.peer.port
        entry.local_addr = KernelStreamEntry.networkOrder(key.local)
        entry.local_port = key.local.port
        entry.mark = mark
        entry.out_saddr = KernelStreamEntry.networkOrder(source)
        entry.out_sport = source.port
        entry.out_daddr = KernelStreamEntry.networkOrder(destination)
        entry.out_dport = destination.port
        entry.with_leg = withLeg ? 1 : 0
        return entry
    }

    /// The four address bytes as a `uint32_t` whose memory holds them in wire order.
    static func networkOrder(_ endpoint: SocketEndpoint) -> UInt32 {
        var value: UInt32 = 0
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: endpoint.addressBytes.prefix(4)) }
        return value
    }

    /// The inverse of `networkOrder`.
    static func endpoint(networkOrder address: UInt32, port: UInt16) -> SocketEndpoint {
        withUnsafeBytes(of: address) { bytes in .ipv4(bytes[0], bytes[1], bytes[2], bytes[3], port: port) }
    }
}
