import Histogram

/// A latency distribution small enough for JSON and plots: the CDF at fixed percentiles and a histogram over
/// logarithmic buckets (four per octave, from 1 µs). Built from the run's HdrHistogram (nanoseconds).
public struct LatencyDistribution: Sendable, Codable, Equatable {
    public struct Point: Sendable, Codable, Equatable {
        public var percentile: Double
        public var microseconds: Double
    }
    public struct Bucket: Sendable, Codable, Equatable {
        /// Bucket covers (previous upper, upper].
        public var upperMicroseconds: Double
        public var count: UInt64
    }

    public var cdf: [Point]
    public var buckets: [Bucket]

    public init(cdf: [Point], buckets: [Bucket]) {
        self.cdf = cdf
        self.buckets = buckets
    }

    /// Percentiles the CDF is sampled at: dense in the body, then the tail a relay is judged by.
    public static let percentiles: [Double] = Array(stride(from: 0.0, through: 95.0, by: 2.5))
        + [96, 97, 98, 99, 99.5, 99.9, 99.95, 99.99, 100]

    public init(nanoseconds h: Histogram<UInt64>) {
        guard h.totalCount > 0 else {
            self.init(cdf: [], buckets: [])
            return
        }
        let cdf = LatencyDistribution.percentiles.map {
            Point(percentile: $0, microseconds: Double($0 >= 100 ? h.max : h.valueAtPercentile(max($0, 0.0001))) / 1000)
        }
        var out: [Bucket] = []
        var lower: UInt64 = 0
        var upper = 1000.0  // 1 µs
        let top = h.max
        while lower <= top, out.count < 200 {
            let u = UInt64(upper)
            let c = h.count(within: lower...max(lower, u))
            out.append(Bucket(upperMicroseconds: Double(u) / 1000, count: c))
            lower = u + 1
            upper *= 1.189_207_115  // 2^(1/4)
        }
        // Drop empty buckets at both ends.
        while let first = out.first, first.count == 0 { out.removeFirst() }
        while let last = out.last, last.count == 0 { out.removeLast() }
        self.init(cdf: cdf, buckets: out)
    }
}
