/// Response-time percentiles per RTD timer from SIPp's `-trace_rtt` file (`<scenario>_<pid>_rtt.csv`, one
/// `Date_ms;response_time_ms;rtd_no` row per measured transaction with `-rtt_freq 1`).
///
/// SIPp's statistics file only carries means and a coarse repartition; percentiles need the raw samples. SIPp
/// measures in whole milliseconds, so percentiles have 1 ms resolution.
public struct SIPpResponseTimes: Sendable, Hashable, Codable {
    public struct Percentiles: Sendable, Hashable, Codable {
        public var samples: Int
        public var p50Milliseconds: Double
        public var p90Milliseconds: Double
        public var p99Milliseconds: Double
        public var maxMilliseconds: Double
    }

    /// By RTD name (`reg`, `invite`, `bye`).
    public var timers: [String: Percentiles]

    /// Rows that are not `number;number;name` (the header, a truncated last line) are skipped, not fatal: the file
    /// is written while SIPp is being stopped.
    public init(csv: String) {
        var samples: [String: [Double]] = [:]
        for line in csv.split(separator: "\n") {
            let fields = line.split(separator: ";", omittingEmptySubsequences: false)
            guard fields.count >= 3, let value = Double(fields[1]), value >= 0 else { continue }
            let name = fields[2].filter { !$0.isWhitespace }
            guard !name.isEmpty else { continue }
            samples[String(name), default: []].append(value)
        }
        var timers: [String: Percentiles] = [:]
        for (name, values) in samples {
            let sorted = values.sorted()
            func at(_ q: Double) -> Double {
                // Nearest rank: the smallest sample with at least q of all samples at or below it.
                let rank = Int((q * Double(sorted.count)).rounded(.up))
                return sorted[min(sorted.count - 1, max(0, rank - 1))]
            }
            timers[name] = Percentiles(samples: sorted.count, p50Milliseconds: at(0.5), p90Milliseconds: at(0.9),
                                       p99Milliseconds: at(0.99), maxMilliseconds: sorted[sorted.count - 1])
        }
        self.timers = timers
    }
}
