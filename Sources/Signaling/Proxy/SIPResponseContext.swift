/// The proxy's state for one proxied request (RFC 3261 §16: the "response context"): the request
/// as it is copied into every branch, the groups of targets still to try, the branches (client
/// transactions) and the final responses collected for §16.7's choice.
struct SIPResponseContext: Sendable {
    /// One forwarded copy of the request (§16.6) and what became of it.
    struct Branch: Sendable {
        var client: SIPTransactionID
        var target: SIPTarget
        /// The request as sent (with our Via), which a CANCEL copies (§9.1).
        var request: SIPMessage
        var destination: SIPPeer
        var local: LocalSocketRef?
        var receivedProvisional = false
        var finished = false
        /// A CANCEL is owed as soon as a provisional arrives (§9.1: not before).
        var cancelWanted = false
        var cancelSent = false
    }

    let server: SIPTransactionID
    let method: SIPMethod
    /// The request after validation, Max-Forwards decrement and Route preprocessing.
    let request: SIPMessage
    /// The request as received (branch hashes and loop detection are computed over it).
    let received: SIPMessage
    let inbound: LocalSocketRef
    var pendingGroups: [[SIPTarget]]
    var branches: [Branch] = []
    /// Final non-2xx responses (our Via already removed), in arrival order.
    var finals: [SIPMessage] = []
    /// How many finals belonged to the group now running (the failover decision looks only at them).
    var groupStart = 0
    var finalSent = false
    var cancelled = false
    var nextBranchIndex = 0

    var hasPendingBranches: Bool { branches.contains { !$0.finished } }

    func branchIndex(_ client: SIPTransactionID) -> Int? { branches.firstIndex { $0.client == client } }
}

/// Who a client transaction of the proxy belongs to.
enum SIPClientOwner: Sendable {
    /// A branch of the response context of this server transaction.
    case branch(server: SIPTransactionID)
    /// A CANCEL the proxy sent for a branch (its responses are absorbed).
    case cancel
    /// A request of the proxy's own.
    case originated(SIPRequestOrigin)
}
