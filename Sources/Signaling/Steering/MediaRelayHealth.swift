/// Whether a relay takes new calls, with the counters that move it: `failuresToDown` failures in a row
/// take it down, `successesToUp` successful pings in a row bring it back (hysteresis, so one lost
/// datagram does not move calls around).
public struct MediaRelayHealth: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        case up
        case down
    }

    public private(set) var state: State = .up
    public private(set) var consecutiveFailures = 0
    public private(set) var consecutiveSuccesses = 0
    /// Answered pings and requests, and failures, since start (metrics).
    public private(set) var totalSuccesses: UInt64 = 0
    public private(set) var totalFailures: UInt64 = 0

    public init() {}

    /// Returns true when the state changed.
    @discardableResult
    mutating func recordSuccess(successesToUp: Int) -> Bool {
        totalSuccesses &+= 1
        consecutiveFailures = 0
        consecutiveSuccesses += 1
        guard state == .down, consecutiveSuccesses >= successesToUp else { return false }
        state = .up
        return true
    }

    @discardableResult
    mutating func recordFailure(failuresToDown: Int) -> Bool {
        totalFailures &+= 1
        consecutiveSuccesses = 0
        consecutiveFailures += 1
        guard state == .up, consecutiveFailures >= failuresToDown else { return false }
        state = .down
        return true
    }
}
