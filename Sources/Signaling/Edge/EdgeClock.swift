import Foundation
import NIOCore

/// The two clocks the cores are given: the proxy's transaction timers run on the monotonic clock
/// (uptime, the same one NIO schedules on, so a deadline maps straight to `NIODeadline`), the
/// registrar's expiries on the wall clock because they are persisted and must survive a restart.
enum EdgeClock {
    static func monotonicNow() -> SIPInstant {
        SIPInstant(milliseconds: Int64(NIODeadline.now().uptimeNanoseconds / 1_000_000))
    }

    static func wallNow() -> RegistrarInstant {
        RegistrarInstant(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
    }
}
