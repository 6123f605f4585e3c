/// The `nft` text of the reference target in the kernel benchmark: the same table shape the relay's kernel path
/// installs (source-keyed `leg_mark`, one mark-keyed map per rewritten field, notrack, stateless rewrite in
/// prerouting and postrouting) but filled by a plain `nft -f` per call and with no daemon behind it. What it
/// forwards per core is the limit of this shape on the machine: "bare nftables".
///
/// Its marks live in the low 16 bits (the relay's live in the high 16), so both tables coexist in one namespace.
public struct BareNATRuleset: Sendable, Equatable {
    public var table: String
    /// The declared `size` of every map. The relay sizes its maps to its mark capacity (65 535 legs with the
    /// default mask), which makes the kernel pick its fixed-size hash; the reference uses the same size so that
    /// both have the same hash backend and bucket count (a 10 vs 10,000 streams comparison depends on them).
    public var mapSize: Int
    public static let markMask: UInt32 = 0x0000_ffff
    /// The relay's map size with its default mark mask (`KernelForwarderConfiguration.markCapacity`).
    public static let relayMapSize = 65_535

    public init(table: String = "tandem_bare", mapSize: Int = BareNATRuleset.relayMapSize) {
        self.table = table
        self.mapSize = mapSize
    }

    /// One direction of a call: packets from `peer` to `local` leave from `outSource` toward `outDestination`.
    public struct Leg: Sendable, Equatable {
        public var mark: UInt32
        public var peer: IPv4Endpoint
        public var local: IPv4Endpoint
        public var outSource: IPv4Endpoint
        public var outDestination: IPv4Endpoint
        public init(mark: UInt32, peer: IPv4Endpoint, local: IPv4Endpoint, outSource: IPv4Endpoint, outDestination: IPv4Endpoint) {
            self.mark = mark
            self.peer = peer
            self.local = local
            self.outSource = outSource
            self.outDestination = outDestination
        }
    }

    /// The table, created empty (replacing one of the same name).
    public func create() -> String {
        let m = "meta mark and 0x0000ffff"
        let size = "size \(mapSize);"
        return """
        table ip \(table)
        delete table ip \(table)
        table ip \(table) {
          map leg_mark { type ipv4_addr . inet_service . ipv4_addr . inet_service : mark; counter; \(size) }
          map out_daddr { type mark : ipv4_addr; \(size) }
          map out_dport { type mark : inet_service; \(size) }
          map out_saddr { type mark : ipv4_addr; \(size) }
          map out_sport { type mark : inet_service; \(size) }
          chain pre {
            type filter hook prerouting priority raw; policy accept;
            meta l4proto udp meta mark set ip saddr . udp sport . ip daddr . udp dport map @leg_mark notrack
            \(m) != 0 ip daddr set \(m) map @out_daddr udp dport set \(m) map @out_dport
          }
          chain post {
            type filter hook postrouting priority srcnat; policy accept;
            \(m) != 0 ip saddr set \(m) map @out_saddr udp sport set \(m) map @out_sport
          }
        }

        """
    }

    public func delete() -> String { "delete table ip \(table)\n" }

    /// Elements for `legs`, added (or deleted) in one `nft -f` transaction.
    public func elements(_ legs: [Leg], add: Bool) -> String {
        guard !legs.isEmpty else { return "" }
        let verb = add ? "add" : "delete"
        func map(_ name: String, _ item: (Leg) -> String) -> String {
            "\(verb) element ip \(table) \(name) { " + legs.map(item).joined(separator: ", ") + " }\n"
        }
        let key = { (l: Leg) in "\(l.peer.host) . \(l.peer.port) . \(l.local.host) . \(l.local.port)" }
        let mark = { (l: Leg) in "0x" + String(l.mark, radix: 16) }
        if !add {
            return map("leg_mark", key) + map("out_daddr", mark) + map("out_dport", mark) + map("out_saddr", mark)
                + map("out_sport", mark)
        }
        return map("leg_mark") { "\(key($0)) : \(mark($0))" }
            + map("out_daddr") { "\(mark($0)) : \($0.outDestination.host)" }
            + map("out_dport") { "\(mark($0)) : \($0.outDestination.port)" }
            + map("out_saddr") { "\(mark($0)) : \($0.outSource.host)" }
            + map("out_sport") { "\(mark($0)) : \($0.outSource.port)" }
    }
}
