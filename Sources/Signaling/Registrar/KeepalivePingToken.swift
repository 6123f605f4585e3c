/// The id a keepalive ping carries (16 hex digits in its branch and its Call-ID): the binding's
/// tracking id (its index in the scheduler's entry array) in the low 32 bits, a per-ping sequence
/// number in the high 32 bits.
///
/// Why: a reply used to be matched through a dictionary from ping id to binding (hash, probe,
/// removal), then a second dictionary from the binding's address to its siblings (hashing the
/// host text), 5,000 times a second at 100k bindings. Decoding the token gives the entry index
/// directly; the entry's `awaitingPing` must then equal the whole token, so a late, duplicated
/// or forged reply (a valid tracking id with the wrong sequence, an index past the end) matches
/// nothing and costs one comparison.
///
/// A tracking id above `UInt32.max` (four billion bindings: not reachable in memory) would be
/// truncated and its replies would never match; nothing traps.
struct KeepalivePingToken: Sendable, Hashable {
    var rawValue: UInt64

    init(rawValue: UInt64) { self.rawValue = rawValue }

    init(trackingID: Int, sequence: UInt32) {
        rawValue = UInt64(sequence) << 32 | UInt64(UInt32(truncatingIfNeeded: trackingID))
    }

    /// The entry index the token names (never negative; may be past the end for a forged token).
    var trackingID: Int { Int(truncatingIfNeeded: rawValue & 0xFFFF_FFFF) }

    var sequence: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) }
}
