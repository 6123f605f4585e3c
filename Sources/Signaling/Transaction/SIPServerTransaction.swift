/// One server transaction (RFC 3261 §17.2): INVITE (§17.2.1, with RFC 6026's Accepted state) or
/// non-INVITE (§17.2.2). Holds the request, where responses go (§18.2.2, fixed when the request
/// arrived) and the last response sent, which is what a retransmitted request gets back.
struct SIPServerTransaction: Sendable {
    enum State: Sendable, Hashable {
        /// Non-INVITE received, no response yet: retransmissions are absorbed silently.
        case trying
        /// A provisional was sent (INVITE starts here with its 100 Trying).
        case proceeding
        /// A final was sent (non-2xx for INVITE): retransmit it on request retransmissions.
        case completed
        /// INVITE: the ACK for the non-2xx arrived; absorb further ACKs until timer I.
        case confirmed
        /// INVITE: a 2xx was sent (RFC 6026); more 2xx may pass, INVITE retransmissions are absorbed.
        case accepted
    }

    let id: SIPTransactionID
    let key: SIPServerTransactionKey
    let isInvite: Bool
    let request: SIPMessage
    let source: SIPPeer
    let local: LocalSocketRef
    /// Where responses go (RFC 3261 §18.2.2 / RFC 3581 §4).
    let responseDestination: SIPPeer
    var state: State
    var lastResponse: SIPMessage?
    var retransmitInterval: Int64
    var retransmitAt: SIPInstant?
    var timeoutAt: SIPInstant?
    var cleanupAt: SIPInstant?

    var reliable: Bool { source.transport.isReliable }
}

/// The public view of a server transaction's state.
public enum SIPServerTransactionState: Sendable, Hashable {
    case trying, proceeding, completed, confirmed, accepted
}

extension SIPServerTransaction.State {
    /// No final response sent yet: the transaction is work in progress (overload accounting).
    var isPending: Bool { self == .trying || self == .proceeding }

    var publicState: SIPServerTransactionState {
        switch self {
        case .trying: return .trying
        case .proceeding: return .proceeding
        case .completed: return .completed
        case .confirmed: return .confirmed
        case .accepted: return .accepted
        }
    }
}
