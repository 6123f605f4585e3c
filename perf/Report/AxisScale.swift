#if canImport(Glibc)
import Glibc
#endif

/// Maps data values to pixels along one axis, linear or logarithmic, and picks tick positions a reader can read
/// (1, 2, 5 × 10ⁿ on linear axes; powers of ten, with 2 and 5 between them over short ranges, on log axes).
public struct AxisScale: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case linear
        case logarithmic
    }

    public var kind: Kind
    public var lower: Double
    public var upper: Double

    /// A scale covering `values` (padded to nice bounds). Log axes ignore values ≤ 0; a linear axis of
    /// non-negative data starts at 0 so bars and rates are not visually exaggerated.
    public init(kind: Kind, covering values: [Double], includeZero: Bool = true) {
        self.kind = kind
        let finite = values.filter { $0.isFinite && (kind == .linear || $0 > 0) }
        var lo = finite.min() ?? (kind == .linear ? 0 : 1)
        var hi = finite.max() ?? (kind == .linear ? 1 : 10)
        switch kind {
        case .linear:
            if includeZero, lo >= 0 { lo = 0 }
            if hi <= lo { hi = lo + (lo == 0 ? 1 : Swift.abs(lo) * 0.1) }
            let step = AxisScale.niceStep(span: hi - lo, targetTicks: 5)
            lower = (lo / step).rounded(.down) * step
            upper = (hi / step).rounded(.up) * step
        case .logarithmic:
            if hi <= lo { hi = lo * 10 }
            lower = pow(10, log10(lo).rounded(.down))
            upper = pow(10, log10(hi).rounded(.up))
            if upper <= lower { upper = lower * 10 }
        }
    }

    public init(kind: Kind, lower: Double, upper: Double) {
        self.kind = kind
        self.lower = lower
        self.upper = upper
    }

    /// Position of `value` in 0...1 along the axis (clamped).
    public func fraction(_ value: Double) -> Double {
        let f: Double
        switch kind {
        case .linear:
            f = upper > lower ? (value - lower) / (upper - lower) : 0
        case .logarithmic:
            guard value > 0, upper > lower, lower > 0 else { return 0 }
            f = (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        }
        return Swift.min(1, Swift.max(0, f.isFinite ? f : 0))
    }

    /// Tick values inside the axis.
    public func ticks() -> [Double] {
        switch kind {
        case .linear:
            let step = AxisScale.niceStep(span: upper - lower, targetTicks: 5)
            var out: [Double] = []
            var v = lower
            while v <= upper + step * 1e-9, out.count < 50 {
                out.append(Swift.abs(v) < step * 1e-9 ? 0 : v)
                v += step
            }
            return out
        case .logarithmic:
            let decades = Int((log10(upper) - log10(lower)).rounded())
            var out: [Double] = []
            var p = lower
            for _ in 0...Swift.max(0, decades) {
                out.append(p)
                if decades <= 2, p * 10 <= upper * 1.0001 { out += [p * 2, p * 5] }
                p *= 10
            }
            return out.filter { $0 <= upper * 1.0001 }
        }
    }

    /// The step among 1, 2, 5 × 10ⁿ that gives about `targetTicks` intervals over `span`.
    public static func niceStep(span: Double, targetTicks: Int) -> Double {
        guard span > 0, span.isFinite else { return 1 }
        let raw = span / Double(Swift.max(1, targetTicks))
        let magnitude = pow(10, log10(raw).rounded(.down))
        let residual = raw / magnitude
        let nice: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10
        return nice * magnitude
    }

    /// A data value with three significant digits (4998.15 → 4,998; 66.82 → 66.8; 0.1234 → 0.123).
    public static func figure(_ v: Double) -> String {
        let a = Swift.abs(v)
        if a >= 1000 { return LoadProgress.grouped(Int(v.rounded())) }
        if a >= 100 { return FixedPoint.format(v, digits: 0) }
        if a >= 10 { return FixedPoint.format(v, digits: 1) }
        if a >= 1 || a == 0 { return a == 0 ? "0" : FixedPoint.format(v, digits: 2) }
        return FixedPoint.format(v, digits: 3)
    }

    /// A short tick label: 1.5k, 20k, 1.2M, 0.05, 250.
    public static func label(_ v: Double) -> String {
        let a = Swift.abs(v)
        func trim(_ s: String) -> String {
            guard s.contains(".") else { return s }
            var t = s
            while t.hasSuffix("0") { t.removeLast() }
            if t.hasSuffix(".") { t.removeLast() }
            return t
        }
        if a >= 1_000_000 { return trim(FixedPoint.format(v / 1_000_000, digits: 2)) + "M" }
        if a >= 10_000 { return trim(FixedPoint.format(v / 1000, digits: 1)) + "k" }
        if a >= 1 || a == 0 { return trim(FixedPoint.format(v, digits: 2)) }
        return trim(FixedPoint.format(v, digits: 4))
    }
}
