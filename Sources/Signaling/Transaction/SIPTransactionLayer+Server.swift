/// Server transactions: matching requests, absorbing retransmissions, sending responses
/// (RFC 3261 §17.2.1, §17.2.2).
extension SIPTransactionLayer {
    mutating func receiveRequest(_ request: SIPMessage, from source: SIPPeer, local: LocalSocketRef,
                                 now: SIPInstant) -> [SIPTransactionEvent]
    {
        guard let key = SIPServerTransactionKey(request: request) else { return [] }
        if let id = serverIndex[key], var tx = servers[id] {
            defer { if servers[id] != nil { servers[id] = tx } }
            return retransmittedRequest(&tx, request, now: now)
        }
        if request.method == .ack { return [.ack(request, source: source, local: local)] }
        let id = nextID()
        let isInvite = request.method == .invite
        let destination = SIPResponseAddressing.destination(topVia: try? request.topVia, source: source)
        var tx = SIPServerTransaction(id: id, key: key, isInvite: isInvite, request: request, source: source, local: local,
                                      responseDestination: destination, state: isInvite ? .proceeding : .trying,
                                      retransmitInterval: timers.t1)
        var events: [SIPTransactionEvent] = []
        if isInvite && settings.sendsTryingForInvite,
           let trying = try? SIPMessage.response(to: request, status: 100, reason: "Trying",
                                                 extraHeaders: settings.tryingHeaders.map(\.tuple))
        {
            tx.lastResponse = trying
            events.append(.send(trying, to: destination, local: local))
        }
        servers[id] = tx
        serverIndex[key] = id
        pendingTransactionCount += 1
        events.append(.request(request, server: id, source: source, local: local))
        return events
    }

    /// A request that matched a live server transaction: ACK moves INVITE Completed to Confirmed;
    /// anything else is a retransmission answered with the last response (or nothing yet).
    private mutating func retransmittedRequest(_ tx: inout SIPServerTransaction, _ request: SIPMessage, now: SIPInstant)
        -> [SIPTransactionEvent]
    {
        if request.method == .ack {
            guard tx.isInvite else { return [] }
            switch tx.state {
            case .completed:
                tx.state = .confirmed
                tx.retransmitAt = nil
                tx.timeoutAt = nil
                return scheduleCleanup(&tx, .i, tx.reliable ? 0 : timers.t4, now)
            case .accepted:
                // RFC 6026 §8.7: an ACK matching an Accepted transaction goes to the TU.
                return [.ack(request, source: tx.source, local: tx.local)]
            default:
                return []
            }
        }
        switch tx.state {
        case .proceeding, .completed:
            guard let last = tx.lastResponse else { return [] }
            return [.send(last, to: tx.responseDestination, local: tx.local)]
        case .trying, .confirmed, .accepted:
            return []
        }
    }

    /// Sends `response` on server transaction `id` and moves it on: a provisional keeps it in
    /// Proceeding; a 2xx to INVITE moves it to Accepted (timer L); any other final to Completed
    /// (INVITE: timers G and H; non-INVITE: timer J). Responses the state does not allow (e.g. a
    /// second final) are dropped, and an unknown id yields nothing.
    public mutating func sendResponse(_ response: SIPMessage, on id: SIPTransactionID, now: SIPInstant)
        -> [SIPTransactionEvent]
    {
        guard var tx = servers[id], let status = response.statusCode else { return [] }
        defer { if servers[id] != nil { servers[id] = tx } }
        let send = SIPTransactionEvent.send(response, to: tx.responseDestination, local: tx.local)
        switch tx.state {
        case .trying, .proceeding:
            if status < 200 {
                tx.state = .proceeding
                tx.lastResponse = response
                return [send]
            }
            tx.lastResponse = response
            pendingTransactionCount -= 1  // a final leaves Trying/Proceeding for good
            if tx.isInvite && status < 300 {
                tx.state = .accepted
                tx.cleanupAt = now + timers.transactionTimeout
                arm(.l, for: id, at: now + timers.transactionTimeout)
                return [send]
            }
            tx.state = .completed
            if tx.isInvite {
                if !tx.reliable {
                    tx.retransmitInterval = timers.t1
                    tx.retransmitAt = now + timers.t1
                    arm(.g, for: id, at: now + timers.t1)
                }
                tx.timeoutAt = now + timers.transactionTimeout
                arm(.h, for: id, at: now + timers.transactionTimeout)
                return [send]
            }
            servers[id] = tx  // terminate (reliable: J = 0) reads the stored, no longer pending, state
            return [send] + scheduleCleanup(&tx, .j, tx.reliable ? 0 : timers.transactionTimeout, now)
        case .accepted:
            // Further 2xx (a forking proxy relays every 2xx of an INVITE, §16.7 step 5).
            return (200..<300).contains(status) ? [send] : []
        case .completed, .confirmed:
            return []
        }
    }

    mutating func scheduleCleanup(_ tx: inout SIPServerTransaction, _ timer: SIPTimerName, _ delay: Int64,
                                  _ now: SIPInstant) -> [SIPTransactionEvent]
    {
        if delay <= 0 { return terminate(tx.id) }
        tx.cleanupAt = now + delay
        arm(timer, for: tx.id, at: now + delay)
        return []
    }
}
