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

    /// The IP version of every endpoint (4 or 6); `validate()` guarantees they agree.
    var ipVersion: UInt8 { key.peer.family == AF_INET6 ? 6 : 4 }

    /// Rejects what the tables cannot express: a port 0, or endpoints of different families. A mixed-family call
    /// (one leg IPv4, the other IPv6) would need a packet to change its IP version on the way, which a header
    /// rewrite in one family's table cannot do; such streams stay in userspace.
    func validate() throws(KernelForwarderError) {
        let family = key.peer.family
        for endpoint in [key.peer, key.local, source, destination] {
            let length = endpoint.family == AF_INET ? 4 : endpoint.family == AF_INET6 ? 16 : 0
            guard length != 0, endpoint.addressLength == length else {
                throw .invalidEntry("\(self): not an IPv4 or IPv6 endpoint: \(endpoint)")
            }
            guard endpoint.family == family else {
                throw .invalidEntry("\(self): mixes IPv4 and IPv6 (stays in userspace)")
            }
            guard endpoint.port != 0 else { throw .invalidEntry("\(self): port 0") }
        }
    }

    /// The C representation with `mark`.
    func raw(mark: UInt32, withLeg: Bool) -> tdm_nft_entry {
        var entry = tdm_nft_entry()
        entry.ip_version = ipVersion
        key.peer.withAddressBytes { bytes in withUnsafeMutableBytes(of: &entry.peer_addr) { $0.copyMemory(from: bytes) } }
        entry.peer_port = key.peer.port
        key.local.withAddressBytes { bytes in withUnsafeMutableBytes(of: &entry.local_addr) { $0.copyMemory(from: bytes) } }
        entry.local_port = key.local.port
        entry.mark = mark
        source.withAddressBytes { bytes in withUnsafeMutableBytes(of: &entry.out_saddr) { $0.copyMemory(from: bytes) } }
        entry.out_sport = source.port
        destination.withAddressBytes { bytes in withUnsafeMutableBytes(of: &entry.out_daddr) { $0.copyMemory(from: bytes) } }
        entry.out_dport = destination.port
        entry.with_leg = withLeg ? 1 : 0
        return entry
    }

    /// An endpoint from the first 4 (IPv4) or all 16 (IPv6) bytes of a C address field; nil for another length.
    static func endpoint<Bytes>(_ address: Bytes, length: Int, port: UInt16) -> SocketEndpoint? {
        var copy = address
        let bytes = withUnsafeBytes(of: &copy) { Array($0.prefix(length)) }
        guard bytes.count == length else { return nil }
        switch length {
        case 4: return .ipv4(bytes[0], bytes[1], bytes[2], bytes[3], port: port)
        case 16: return .ipv6(bytes, port: port)
        default: return nil
        }
    }
}
