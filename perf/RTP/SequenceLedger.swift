/// Which sequence numbers of one stream have arrived: a growable bitset, so duplicates are exact at any distance.
///
/// Memory is one bit per packet sent on the stream (a 600 s run at 100k pps is 7.5 MB over all streams).
/// Sequences beyond `limit` are refused, so a forged or corrupt stamp cannot make it allocate without bound.
public struct SequenceLedger: Sendable, Equatable {
    private var words: [UInt64] = []
    public let limit: UInt64
    public private(set) var unique: UInt64 = 0
    public private(set) var duplicates: UInt64 = 0

    public init(limit: UInt64 = 1 << 32) { self.limit = limit }

    public enum Outcome: Sendable, Equatable { case first, duplicate, outOfRange }

    public mutating func record(_ sequence: UInt64) -> Outcome {
        guard sequence < limit else { return .outOfRange }
        let word = Int(sequence >> 6)
        let bit = UInt64(1) << (sequence & 63)
        if word >= words.count {
            words.append(contentsOf: repeatElement(0, count: max(word + 1 - words.count, words.count)))
        }
        if words[word] & bit != 0 {
            duplicates += 1
            return .duplicate
        }
        words[word] |= bit
        unique += 1
        return .first
    }
}
