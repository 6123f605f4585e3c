/// The arithmetic of `tandem perf compare`: per-target summaries over rounds and per-round ratios to a baseline.
///
/// On a shared box one run says little; rounds in alternation (A B A B …) see the same neighbours, so the ratio of
/// a round's two figures cancels most of the noise both shared. The median ratio is the answer and the min–max of
/// the per-round ratios is its spread; a spread that straddles 1.0 means "no measurable difference".
public enum ComparisonStatistics {
    /// Median, extremes and mean of a set of figures.
    public struct Summary: Sendable, Codable, Equatable {
        public var count: Int
        public var median: Double
        public var min: Double
        public var max: Double
        public var mean: Double
    }

    /// nil for an empty set. The median of an even count is the mean of the middle two.
    public static func summary(_ values: [Double]) -> Summary? {
        let finite = values.filter(\.isFinite).sorted()
        guard let first = finite.first, let last = finite.last else { return nil }
        let n = finite.count
        let median = n % 2 == 1 ? finite[n / 2] : (finite[n / 2 - 1] + finite[n / 2]) / 2
        return Summary(count: n, median: median, min: first, max: last, mean: finite.reduce(0, +) / Double(n))
    }

    /// Per-round ratios `other / baseline`, over the rounds where both figures exist and the baseline is not 0.
    /// Rounds pair by index: round k of the other target ran right after round k of the baseline.
    public static func roundRatios(baseline: [Double?], other: [Double?]) -> [Double] {
        var out: [Double] = []
        for (b, o) in zip(baseline, other) {
            guard let b, let o, b.isFinite, o.isFinite, b != 0 else { continue }
            out.append(o / b)
        }
        return out
    }

    /// Ratio of a target to the baseline: the median of the per-round ratios and their spread.
    public struct Ratio: Sendable, Codable, Equatable {
        public var median: Double
        public var min: Double
        public var max: Double
        public var rounds: Int
        /// True when every round agrees on the direction (all ratios above 1, or all below).
        public var consistent: Bool
    }

    public static func ratio(baseline: [Double?], other: [Double?]) -> Ratio? {
        let ratios = roundRatios(baseline: baseline, other: other)
        guard let s = summary(ratios) else { return nil }
        return Ratio(median: s.median, min: s.min, max: s.max, rounds: s.count,
                     consistent: s.min > 1 || s.max < 1 || (s.min == 1 && s.max == 1))
    }
}
