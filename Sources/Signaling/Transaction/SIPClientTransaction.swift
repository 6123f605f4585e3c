/// One client transaction (RFC 3261 §17.1): INVITE (§17.1.1, with RFC 6026's Accepted state) or
/// non-INVITE (§17.1.2). Holds the request for retransmission, where it goes, and the deadline
/// each running timer is expected to fire at (nil = stopped).
struct SIPClientTransaction: Sendable {
    enum State: Sendable, Hashable {
        /// INVITE sent, nothing heard (§17.1.1.2).
        case calling
        /// Non-INVITE sent, nothing heard (§17.1.2.2).
        case trying
        /// A provisional response arrived.
        case proceeding
        /// A non-2xx final arrived (INVITE: ACK sent) or any final for non-INVITE; absorbing retransmissions.
        case completed
        /// INVITE got a 2xx (RFC 6026): further 2xx go to the TU until timer M.
        case accepted
    }

    let id: SIPTransactionID
    let key: SIPClientTransactionKey
    let isInvite: Bool
    let request: SIPMessage
    let destination: SIPPeer
    let local: LocalSocketRef?
    let usesTimerC: Bool
    var state: State
    /// The ACK sent for a non-2xx final (re-sent on each retransmitted final).
    var ack: SIPMessage?
    /// Whether any provisional above 100 arrived (decides CANCEL vs 408 when timer C fires).
    var receivedProvisional = false
    var retransmitInterval: Int64
    var retransmitAt: SIPInstant?
    var timeoutAt: SIPInstant?
    var cleanupAt: SIPInstant?
    var timerCAt: SIPInstant?

    var reliable: Bool { destination.transport.isReliable }
}

/// The public view of a client transaction's state (for tests, logs and the TU).
public enum SIPClientTransactionState: Sendable, Hashable {
    case calling, trying, proceeding, completed, accepted
}

extension SIPClientTransaction.State {
    /// No final response received yet: the transaction is work in progress (overload accounting).
    var isPending: Bool { self == .calling || self == .trying || self == .proceeding }

    var publicState: SIPClientTransactionState {
        switch self {
        case .calling: return .calling
        case .trying: return .trying
        case .proceeding: return .proceeding
        case .completed: return .completed
        case .accepted: return .accepted
        }
    }
}
