/// A bounded micro-benchmark runner: it repeats one operation in batches until either the iteration cap or the
/// time budget is reached, then reports operations per second of the fastest batch and of the whole run.
///
/// The fastest batch is the figure least disturbed by a noisy neighbour on a shared machine; the mean is shown next
/// to it so a reader sees the spread. Both are single-threaded: the figure is per core.
public struct MicroBenchmark: Sendable {
    /// What one run measured.
    public struct Result: Sendable {
        public var name: String
        public var iterations: Int
        public var seconds: Double
        public var bestBatchOpsPerSecond: Double
        public var meanOpsPerSecond: Double { seconds > 0 ? Double(iterations) / seconds : 0 }
    }

    public var batchSize: Int
    public var maxIterations: Int
    public var maxSeconds: Double

    public init(batchSize: Int = 10_000, maxIterations: Int = 20_000_000, maxSeconds: Double = 2.0) {
        self.batchSize = max(1, batchSize)
        self.maxIterations = max(self.batchSize, maxIterations)
        self.maxSeconds = maxSeconds
    }

    /// Runs `operation` (which returns a value folded into a sink so the optimizer cannot drop it).
    public func run(_ name: String, _ operation: () -> Int) -> Result {
        let clock = ContinuousClock()
        var sink = 0
        // Warm-up: one batch, not counted.
        for _ in 0..<batchSize { sink &+= operation() }
        var iterations = 0
        var best = 0.0
        let start = clock.now
        var elapsed = 0.0
        while iterations < maxIterations && elapsed < maxSeconds {
            let batchStart = clock.now
            for _ in 0..<batchSize { sink &+= operation() }
            let batchSeconds = (clock.now - batchStart).seconds
            iterations += batchSize
            if batchSeconds > 0 { best = max(best, Double(batchSize) / batchSeconds) }
            elapsed = (clock.now - start).seconds
        }
        if sink == 0x5eed_f00d { print("") }  // keeps `sink` alive
        return Result(name: name, iterations: iterations, seconds: elapsed, bestBatchOpsPerSecond: best)
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
