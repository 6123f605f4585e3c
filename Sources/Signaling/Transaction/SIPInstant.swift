/// A point on the injected clock, in milliseconds since an origin the driver chooses (a monotonic
/// clock). The cores never read a clock themselves: every call that may start or fire a timer
/// takes `now`, which keeps them deterministic and testable with a fake clock.
public struct SIPInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static let zero = SIPInstant(milliseconds: 0)

    public static func < (lhs: SIPInstant, rhs: SIPInstant) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// The instant `milliseconds` later (saturating, so a huge configured timer cannot trap).
    public static func + (lhs: SIPInstant, milliseconds: Int64) -> SIPInstant {
        let (sum, overflow) = lhs.milliseconds.addingReportingOverflow(milliseconds)
        return SIPInstant(milliseconds: overflow ? Int64.max : sum)
    }

    public var description: String { "t=\(milliseconds)ms" }
}
