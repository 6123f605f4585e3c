/// One sample of a long run, for the live progress line: where the run is, how fast it goes now, what it loses.
///
/// Rates and loss are over the last interval, not the whole run, so a relay that starts dropping shows it at once.
public struct LoadProgress: Sendable, Equatable {
    /// What runs now ("rtp tandem round 2/5", "probe 3/8 at 40000 pps").
    public var phase: String
    public var elapsedSeconds: Double
    /// Seconds the whole command still needs, as far as it can tell (nil: unknown).
    public var secondsLeft: Double?
    /// Current rate in `unit` per second over the last interval.
    public var rate: Double
    public var unit: String
    /// Fraction lost (packets) or failed (calls) over the last interval; nil when it does not apply.
    public var lossFraction: Double?

    public init(phase: String, elapsedSeconds: Double, secondsLeft: Double?, rate: Double, unit: String,
                lossFraction: Double?) {
        self.phase = phase
        self.elapsedSeconds = elapsedSeconds
        self.secondsLeft = secondsLeft
        self.rate = rate
        self.unit = unit
        self.lossFraction = lossFraction
    }

    /// `phase · 12 s left · 99,812 pps · loss 0.000%`.
    public var text: String {
        var parts = [phase]
        if let left = secondsLeft { parts.append("\(Int(left.rounded(.up))) s left") }
        parts.append("\(LoadProgress.grouped(Int(rate.rounded()))) \(unit)")
        if let loss = lossFraction { parts.append("loss \(FixedPoint.format(max(0, loss) * 100, digits: 3))%") }
        return parts.joined(separator: " · ")
    }

    /// 1234567 → "1,234,567".
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }
}
