/// The dispatcher's 64-bit hashing: FNV-1a 64 over the bytes, finished with the splitmix64 mixer
/// (FNV alone has weak high bits for short, similar keys such as `conf-1001`/`conf-1002`; the
/// mixer's avalanche fixes that). Not cryptographic: a tenant able to choose keys can at most choose
/// which box its own calls land on.
enum DispatcherHash {
    static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3

    static func fnv1a(_ text: String) -> UInt64 {
        var hash = fnvOffset
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* fnvPrime
        }
        return hash
    }

    /// splitmix64's finalizer (Steele, Lea, Flood 2014).
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    static func hash(_ text: String) -> UInt64 { mix(fnv1a(text)) }

    /// The (key, destination) hash rendezvous hashing scores: both inputs mixed so that
    /// neighbouring destination hashes give unrelated scores.
    static func pair(key: UInt64, destination: UInt64) -> UInt64 { mix(key ^ mix(destination)) }

    /// Maps a hash to the open interval (0, 1): the top 53 bits, offset by half a step.
    static func unitInterval(_ hash: UInt64) -> Double {
        (Double(hash >> 11) + 0.5) * (1.0 / 9_007_199_254_740_992.0)
    }
}
