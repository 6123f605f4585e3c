/// Finds the highest rate that passes a probe, with a bounded number of probes.
///
/// Pure: the probe is a function, so the search logic is tested with a fake and the real one runs a fresh set of
/// calls per probe (rtpengine disables a call's sockets after an overload, so reusing calls would poison later
/// probes). Strategy: double from `start` until a probe fails or `ceiling` passes, then bisect between the best
/// pass and the first failure until they are within `resolution` (a fraction of the failing rate) or the probe
/// budget is spent. If even `start` fails, it bisects between 0 and `start`.
public struct MaxRateSearch: Sendable, Equatable {
    public var start: Double
    public var ceiling: Double
    public var maxProbes: Int
    public var resolution: Double

    public init(start: Double, ceiling: Double, maxProbes: Int = 8, resolution: Double = 0.05) {
        self.start = max(1, start)
        self.ceiling = max(self.start, ceiling)
        self.maxProbes = max(1, maxProbes)
        self.resolution = max(0.001, resolution)
    }

    public struct Probe: Sendable, Equatable {
        public var rate: Double
        public var passed: Bool
        public init(rate: Double, passed: Bool) {
            self.rate = rate
            self.passed = passed
        }
    }

    public struct Result: Sendable, Equatable {
        /// The highest rate that passed, or nil when none did.
        public var bestRate: Double?
        /// The lowest rate that failed, or nil when none did (the ceiling passed).
        public var firstFailingRate: Double?
        public var probes: [Probe]
    }

    public func run<E: Error>(_ probe: (Double) throws(E) -> Bool) throws(E) -> Result {
        var probes: [Probe] = []
        var best: Double?
        var failing: Double?
        var rate = start
        // Phase 1: grow.
        while probes.count < maxProbes {
            let passed = try probe(rate)
            probes.append(Probe(rate: rate, passed: passed))
            if passed {
                best = rate
                if rate >= ceiling { break }
                rate = min(rate * 2, ceiling)
            } else {
                failing = rate
                break
            }
        }
        // Phase 2: bisect between the best pass (or 0) and the first failure.
        while probes.count < maxProbes, let high = failing {
            let low = best ?? 0
            guard high - low > resolution * high else { break }
            let mid = (low + high) / 2
            let passed = try probe(mid)
            probes.append(Probe(rate: mid, passed: passed))
            if passed { best = mid } else { failing = mid }
        }
        return Result(bestRate: best, firstFailingRate: failing, probes: probes)
    }
}
