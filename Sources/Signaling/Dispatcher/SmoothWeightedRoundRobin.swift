/// nginx's smooth weighted round robin, one step: every eligible member's current value grows by its
/// weight, the largest wins and pays back the total. Over any window of `sum(weights)` picks each
/// member is chosen exactly `weight` times, interleaved (5,1,1 gives a a b a c a a, not a a a a a b c).
/// Members that are ineligible simply do not take part in the step, as in nginx.
enum SmoothWeightedRoundRobin {
    /// `current` is indexed like `weights`; returns the winning index among `eligible`.
    static func pick(current: inout [Int], weights: [Int], eligible: [Int]) -> Int? {
        var total = 0
        var best: Int?
        for index in eligible {
            current[index] += weights[index]
            total += weights[index]
            if let chosen = best {
                if current[index] > current[chosen] { best = index }
            } else {
                best = index
            }
        }
        if let chosen = best { current[chosen] -= total }
        return best
    }
}
