/// Client transactions: starting them and feeding them responses (RFC 3261 §17.1.1, §17.1.2).
extension SIPTransactionLayer {
    /// Why a client transaction could not start.
    public enum SendError: Error, Sendable, Equatable {
        /// The request has no top Via with a branch, or no CSeq.
        case noTransactionKey
        /// ACK never has a client transaction (send it directly).
        case ackHasNoTransaction
        /// A live client transaction already uses this branch and method.
        case duplicateBranch
    }

    /// Starts a client transaction: sends `request` to `destination` (from `local` when given) and
    /// arms A/B (INVITE) or E/F (non-INVITE); A and E only over unreliable transports. `timerC`
    /// arms the proxy INVITE timer C (§16.6 item 11).
    public mutating func sendRequest(_ request: SIPMessage, to destination: SIPPeer, local: LocalSocketRef? = nil,
                                     timerC: Bool = false, now: SIPInstant) throws(SendError)
        -> (id: SIPTransactionID, events: [SIPTransactionEvent])
    {
        guard request.method != .ack else { throw .ackHasNoTransaction }
        guard let key = SIPClientTransactionKey(message: request) else { throw .noTransactionKey }
        guard clientIndex[key] == nil else { throw .duplicateBranch }
        let id = nextID()
        let isInvite = request.method == .invite
        var tx = SIPClientTransaction(id: id, key: key, isInvite: isInvite, request: request, destination: destination,
                                      local: local, usesTimerC: isInvite && timerC, state: isInvite ? .calling : .trying,
                                      retransmitInterval: timers.t1)
        if !tx.reliable {
            tx.retransmitAt = now + timers.t1
            arm(isInvite ? .a : .e, for: id, at: now + timers.t1)
        }
        tx.timeoutAt = now + timers.transactionTimeout
        arm(isInvite ? .b : .f, for: id, at: now + timers.transactionTimeout)
        if tx.usesTimerC {
            tx.timerCAt = now + timers.timerC
            arm(.c, for: id, at: now + timers.timerC)
        }
        clients[id] = tx
        clientIndex[key] = id
        pendingTransactionCount += 1
        return (id, [.send(request, to: destination, local: local)])
    }

    mutating func receiveResponse(_ response: SIPMessage, client id: SIPTransactionID, now: SIPInstant)
        -> [SIPTransactionEvent]
    {
        guard var tx = clients[id], let status = response.statusCode else { return [] }
        defer { if clients[id] != nil { clients[id] = tx } }
        if tx.isInvite {
            return inviteClientResponse(&tx, response, status, now)
        }
        switch tx.state {
        case .trying, .proceeding:
            if status < 200 {
                tx.state = .proceeding
                return [.response(response, client: id)]
            }
            tx.state = .completed
            tx.retransmitAt = nil
            tx.timeoutAt = nil
            pendingTransactionCount -= 1
            clients[id] = tx
            return [.response(response, client: id)] + scheduleCleanup(&tx, .k, tx.reliable ? 0 : timers.t4, now)
        default:
            return []
        }
    }

    private mutating func inviteClientResponse(_ tx: inout SIPClientTransaction, _ response: SIPMessage, _ status: Int,
                                               _ now: SIPInstant) -> [SIPTransactionEvent]
    {
        let id = tx.id
        switch tx.state {
        case .calling, .proceeding:
            if status < 200 {
                tx.state = .proceeding
                tx.retransmitAt = nil
                tx.timeoutAt = nil
                if status > 100 {
                    tx.receivedProvisional = true
                    if tx.usesTimerC {  // §16.7 step 2: a provisional resets timer C
                        tx.timerCAt = now + timers.timerC
                        arm(.c, for: id, at: now + timers.timerC)
                    }
                }
                return [.response(response, client: id)]
            }
            tx.retransmitAt = nil
            tx.timeoutAt = nil
            tx.timerCAt = nil
            pendingTransactionCount -= 1  // a final leaves Calling/Proceeding for good
            if status < 300 {
                tx.state = .accepted
                tx.cleanupAt = now + timers.transactionTimeout
                arm(.m, for: id, at: now + timers.transactionTimeout)
                return [.response(response, client: id)]
            }
            tx.state = .completed
            var events: [SIPTransactionEvent] = []
            if let ack = try? tx.request.ackForNon2xx(response) {
                tx.ack = ack
                events.append(.send(ack, to: tx.destination, local: tx.local))
            }
            events.append(.response(response, client: id))
            clients[id] = tx
            return events + scheduleCleanup(&tx, .d, tx.reliable ? 0 : timers.timerD, now)
        case .completed:
            // A retransmitted final: the ACK got lost; send it again, tell nobody.
            if status >= 300, let ack = tx.ack { return [.send(ack, to: tx.destination, local: tx.local)] }
            return []
        case .accepted:
            return (200..<300).contains(status) ? [.response(response, client: id)] : []
        case .trying:
            return []
        }
    }

    /// Arms a wait timer, or terminates at once when it is zero (reliable transports).
    mutating func scheduleCleanup(_ tx: inout SIPClientTransaction, _ timer: SIPTimerName, _ delay: Int64,
                                  _ now: SIPInstant) -> [SIPTransactionEvent]
    {
        if delay <= 0 { return terminate(tx.id) }
        tx.cleanupAt = now + delay
        arm(timer, for: tx.id, at: now + delay)
        return []
    }
}
