/// Timing of the ng client. Retransmissions reuse the cookie, so a relay that got the first copy answers
/// the next from its cookie cache instead of doing the command twice.
public struct MediaRelayClientSettings: Sendable, Hashable {
    /// Time between copies of an unanswered request.
    public var retransmitMilliseconds: Int64 = 500
    /// Copies sent to one relay before it counts as not answering (then the next relay is tried).
    public var attemptsPerRelay: Int = 3
    /// Period of the health-check `ping` to every relay.
    public var pingIntervalMilliseconds: Int64 = 5000
    /// A ping without a reply within this time is a failure.
    public var pingTimeoutMilliseconds: Int64 = 1000
    /// Consecutive failures (ping timeouts, unanswered requests) that mark a relay down.
    public var failuresToDown: Int = 2
    /// Consecutive successful pings that bring a down relay back.
    public var successesToUp: Int = 2

    public init() {}
}
