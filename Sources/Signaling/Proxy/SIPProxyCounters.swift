/// Why the proxy dropped a message without answering.
public enum SIPDropReason: Sendable, Hashable, CaseIterable {
    /// Did not parse, and too little survived to answer with 400.
    case unparseable
    /// A request that failed validation but cannot be answered (an ACK, or no usable Via/From/To/Call-ID/CSeq).
    case unanswerable
    /// A response that matched no transaction and whose next Via is not ours to pop.
    case strayResponse
    /// A response for a branch that is already finished (non-2xx after the final was chosen).
    case lateResponse
    /// An ACK that could not be routed (Max-Forwards 0, no target).
    case unroutableACK
    /// A response that carried no Via after ours was removed.
    case responseWithoutVia
    /// The proxy could not build or edit the message (should not happen with valid input).
    case internalError
}

/// A server transaction's outcome for the statistics: its method and the class of the final
/// response the proxy sent (2...6; 0 when it ended without one).
public struct SIPTransactionOutcome: Sendable, Hashable {
    public var method: SIPMethod
    public var statusClass: Int

    public init(method: SIPMethod, statusClass: Int) {
        self.method = method
        self.statusClass = statusClass
    }
}

/// Counters the proxy keeps; the daemon exports them.
public struct SIPProxyCounters: Sendable, Hashable {
    /// Final responses sent on server transactions (and stateless answers to requests the
    /// application handles without one), by method and class.
    public var finalResponses: [SIPTransactionOutcome: UInt64] = [:]
    /// Client transactions (forwarded branches and own requests) that timed out, by method.
    public var clientTimeouts: [SIPMethod: UInt64] = [:]
    /// Messages that failed to parse.
    public var parseErrors: UInt64 = 0
    /// Stateless 400 answers (to unparseable or invalid requests).
    public var badRequestReplies: UInt64 = 0
    /// Stateless 503 answers because `maxPendingTransactions` or `maxLiveTransactions` was reached.
    public var overloadRejections: UInt64 = 0
    /// Requests handed to the application without a server transaction (`answersStatelessly`).
    public var statelessDeliveries: UInt64 = 0
    /// Requests forwarded (each branch counts once), and ACKs forwarded statelessly.
    public var forwardedRequests: UInt64 = 0
    public var forwardedACKs: UInt64 = 0
    /// Responses relayed upstream.
    public var forwardedResponses: UInt64 = 0
    public var drops: [SIPDropReason: UInt64] = [:]

    public init() {}

    mutating func drop(_ reason: SIPDropReason) { drops[reason, default: 0] += 1 }

    public func drops(_ reason: SIPDropReason) -> UInt64 { drops[reason] ?? 0 }

    public func finalResponses(_ method: SIPMethod, statusClass: Int) -> UInt64 {
        finalResponses[SIPTransactionOutcome(method: method, statusClass: statusClass)] ?? 0
    }
}
