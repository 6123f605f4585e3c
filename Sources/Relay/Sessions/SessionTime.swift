/// A point in time handed to the session layer by its driver (the injected clock): microseconds since the Unix
/// epoch. The session layer never reads a clock itself, so tests drive it with plain numbers.
public struct SessionTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// A time a whole number of seconds after the epoch (saturating, so hostile input cannot trap).
    public static func seconds(_ seconds: Int64) -> SessionTime {
        SessionTime(microseconds: saturatingMicroseconds(seconds))
    }

    /// Whole seconds since the epoch, as rtpengine reports `created` and `last packet`.
    public var unixSeconds: Int64 { microseconds / 1_000_000 }

    /// This time moved by `seconds` (saturating).
    public func adding(seconds: Int64) -> SessionTime {
        let (sum, overflow) = microseconds.addingReportingOverflow(SessionTime.saturatingMicroseconds(seconds))
        if overflow { return SessionTime(microseconds: seconds < 0 ? .min : .max) }
        return SessionTime(microseconds: sum)
    }

    /// Microseconds elapsed from `earlier` to `self` (saturating).
    public func microseconds(since earlier: SessionTime) -> Int64 {
        let (difference, overflow) = microseconds.subtractingReportingOverflow(earlier.microseconds)
        if overflow { return earlier.microseconds > microseconds ? .min : .max }
        return difference
    }

    public static func < (lhs: SessionTime, rhs: SessionTime) -> Bool { lhs.microseconds < rhs.microseconds }

    public var description: String { "t=\(microseconds)us" }

    static func saturatingMicroseconds(_ seconds: Int64) -> Int64 {
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return product
    }
}
