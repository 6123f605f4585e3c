/// A small seeded generator (splitmix64) for the `random` algorithm: deterministic in tests, and good
/// enough for spreading calls. The daemon may inject `SystemRandomNumberGenerator` instead.
public struct SplitMix64Generator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state = state &+ 0x9e37_79b9_7f4a_7c15
        return DispatcherHash.mix(state &- 0x9e37_79b9_7f4a_7c15)
    }
}
