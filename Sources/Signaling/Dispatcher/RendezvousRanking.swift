#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Weighted rendezvous (highest random weight) hashing: every destination gets a score for the key,
/// `-weight / ln(u)` with `u = hash(key, destination)` mapped to (0, 1) (Schindelhauer & Schomaker's
/// logarithmic method); destinations are ranked by descending score.
///
/// A destination's score does not depend on which other destinations exist, so when a box goes down
/// only its own keys move, each to the box that scored second for it, which spreads them over all
/// the others in proportion to weight; when it comes back exactly those keys return. Kamailio's
/// hash-modulo-then-next-active (kamailio issue #2361) instead piles a dead box's whole share onto
/// its neighbour. Cost is O(n log n) per request; sets are a handful of boxes.
enum RendezvousRanking {
    struct Scored {
        var index: Int
        var score: Double
    }

    /// `members[i]` are (destination hash, weight); returns member indices, best first. Ties (only
    /// possible with equal hashes) break by index so the order is total and deterministic.
    static func rank(key: String, members: [(hash: UInt64, weight: Int)]) -> [Int] {
        let keyHash = DispatcherHash.hash(key)
        var scored: [Scored] = []
        scored.reserveCapacity(members.count)
        for (index, member) in members.enumerated() {
            scored.append(Scored(index: index, score: score(keyHash: keyHash, destinationHash: member.hash,
                                                            weight: member.weight)))
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
        return scored.map(\.index)
    }

    static func score(keyHash: UInt64, destinationHash: UInt64, weight: Int) -> Double {
        let unit = DispatcherHash.unitInterval(DispatcherHash.pair(key: keyHash, destination: destinationHash))
        return -Double(weight) / log(unit)
    }
}
