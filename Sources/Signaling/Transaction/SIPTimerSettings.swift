/// RFC 3261 §17 timer values (Table 4), in milliseconds. Every derived timer is computed from T1,
/// T2 and T4 as the RFC says, so changing T1 (e.g. on a LAN) scales B, F, H and J with it.
public struct SIPTimerSettings: Sendable, Hashable {
    /// RTT estimate: first retransmission interval (default 500 ms).
    public var t1: Int64
    /// Cap of the non-INVITE and response retransmission interval (default 4 s).
    public var t2: Int64
    /// How long the network may hold a message (default 5 s): timers I and K.
    public var t4: Int64
    /// Timer C: how long a proxy's INVITE client transaction may stay without a final response
    /// (RFC 3261 §16.6 item 11: more than 3 minutes; default 180 s).
    public var timerC: Int64
    /// Timer D: wait for response retransmissions after a non-2xx to INVITE (at least 32 s).
    public var timerD: Int64

    public init(t1: Int64 = 500, t2: Int64 = 4000, t4: Int64 = 5000, timerC: Int64 = 180_000, timerD: Int64 = 32_000) {
        self.t1 = max(1, t1)
        self.t2 = max(self.t1, t2)
        self.t4 = max(0, t4)
        self.timerC = max(1, timerC)
        self.timerD = max(0, timerD)
    }

    public static let `default` = SIPTimerSettings()

    /// 64*T1: timers B, F, H, J and the RFC 6026 timers L and M.
    public var transactionTimeout: Int64 { t1.multipliedReportingOverflow(by: 64).overflow ? Int64.max : t1 * 64 }
}

/// The RFC 3261 §17 timers (plus RFC 6026's L and M), named so that a test or a log can say which
/// one fired.
public enum SIPTimerName: Sendable, Hashable, CustomStringConvertible {
    /// INVITE client: retransmit the request (doubles, unreliable only).
    case a
    /// INVITE client: no response at all.
    case b
    /// Proxy INVITE client: no final response within Timer C.
    case c
    /// INVITE client: absorb final-response retransmissions after a non-2xx.
    case d
    /// Non-INVITE client: retransmit the request (doubles up to T2).
    case e
    /// Non-INVITE client: no final response.
    case f
    /// INVITE server: retransmit the non-2xx final response (doubles up to T2).
    case g
    /// INVITE server: no ACK for the non-2xx final response.
    case h
    /// INVITE server: absorb ACK retransmissions.
    case i
    /// Non-INVITE server: absorb request retransmissions after the final response.
    case j
    /// Non-INVITE client: absorb response retransmissions.
    case k
    /// INVITE server (RFC 6026 Accepted): absorb INVITE retransmissions after a 2xx.
    case l
    /// INVITE client (RFC 6026 Accepted): pass further 2xx (forked) to the TU.
    case m

    public var description: String {
        switch self {
        case .a: return "A"
        case .b: return "B"
        case .c: return "C"
        case .d: return "D"
        case .e: return "E"
        case .f: return "F"
        case .g: return "G"
        case .h: return "H"
        case .i: return "I"
        case .j: return "J"
        case .k: return "K"
        case .l: return "L"
        case .m: return "M"
        }
    }
}
