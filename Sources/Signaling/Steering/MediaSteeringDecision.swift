/// What the edge does with a SIP message, as steering sees it.
public enum MediaSteeringDecision: Sendable {
    /// Forward it unchanged.
    case pass
    /// Forward it with this SDP body now (a retransmission whose rewrite is known).
    case rewrite([UInt8])
    /// Hold it, send this ng request (tagged `token`), and forward it when `complete(token:…)` says how.
    case hold(MediaRelayRequest, token: UInt64)
    /// Forward it unchanged and send this ng request too (a delete; nothing waits for it).
    case passAndSend(MediaRelayRequest, token: UInt64)
}

/// Steering counters (metrics).
public struct MediaSteeringCounters: Sendable, Hashable {
    /// Messages forwarded unchanged because no relay answered the ng request (the chosen failure mode).
    public var forwardedUnsteered: UInt64 = 0
    /// Calls whose media went through a relay (first offer answered).
    public var callsSteered: UInt64 = 0
    /// Deletes sent because a call timed out (no final answer, or no SIP activity for too long).
    public var dialogTimeouts: UInt64 = 0
}

/// Timeouts of steered calls: their relay sessions are deleted when the SIP dialog is gone without a BYE.
public struct MediaSteeringSettings: Sendable, Hashable {
    public var policy: MediaSteeringPolicy = .always
    /// Policy for calls that come from the farm (nil: `policy`).
    public var farmPolicy: MediaSteeringPolicy?
    /// A call without a final 2xx after this long is deleted (timer C is 3 minutes).
    public var setupTimeoutMilliseconds: Int64 = 200_000
    /// An established call without any SIP message for this long is deleted (session timers refresh well
    /// before; this only catches dialogs whose BYE was lost).
    public var idleTimeoutMilliseconds: Int64 = 4 * 3_600_000

    public init(policy: MediaSteeringPolicy = .always) { self.policy = policy }
}
