/// Timer expiry. Every timer entry is checked against the deadline its transaction still expects,
/// so stopped or re-armed timers are skipped without ever being removed from the heap.
extension SIPTransactionLayer {
    /// Fires every timer due at `now`, in deadline order.
    public mutating func advance(to now: SIPInstant) -> [SIPTransactionEvent] {
        var events: [SIPTransactionEvent] = []
        while let entry = deadlines.popDue(now) {
            if clients[entry.transaction] != nil {
                events += fireClient(entry)
            } else if servers[entry.transaction] != nil {
                events += fireServer(entry)
            }
        }
        return events
    }

    private mutating func fireClient(_ entry: SIPDeadlineHeap.Entry) -> [SIPTransactionEvent] {
        let id = entry.transaction
        guard var tx = clients[id] else { return [] }
        defer { if clients[id] != nil { clients[id] = tx } }
        switch entry.timer {
        case .a, .e:
            guard tx.retransmitAt == entry.at else { return [] }
            if entry.timer == .a {
                guard tx.state == .calling else { return [] }
                tx.retransmitInterval = min(tx.retransmitInterval.multipliedReportingOverflow(by: 2).partialValue, Int64.max / 4)
            } else if tx.state == .proceeding {
                tx.retransmitInterval = timers.t2  // §17.1.2.2: in Proceeding, retransmit every T2
            } else {
                guard tx.state == .trying else { return [] }
                tx.retransmitInterval = min(tx.retransmitInterval * 2, timers.t2)
            }
            let next = entry.at + tx.retransmitInterval
            tx.retransmitAt = next
            arm(entry.timer, for: id, at: next)
            return [.send(tx.request, to: tx.destination, local: tx.local)]
        case .b, .f:
            guard tx.timeoutAt == entry.at else { return [] }
            return [.timeout(id, entry.timer)] + terminate(id)
        case .c:
            guard tx.timerCAt == entry.at else { return [] }
            tx.timerCAt = nil
            return [.timerC(id)]
        case .d, .k, .m:
            guard tx.cleanupAt == entry.at else { return [] }
            return terminate(id)
        default:
            return []
        }
    }

    private mutating func fireServer(_ entry: SIPDeadlineHeap.Entry) -> [SIPTransactionEvent] {
        let id = entry.transaction
        guard var tx = servers[id] else { return [] }
        defer { if servers[id] != nil { servers[id] = tx } }
        switch entry.timer {
        case .g:
            guard tx.retransmitAt == entry.at, tx.state == .completed, let last = tx.lastResponse else { return [] }
            tx.retransmitInterval = min(tx.retransmitInterval * 2, timers.t2)
            let next = entry.at + tx.retransmitInterval
            tx.retransmitAt = next
            arm(.g, for: id, at: next)
            return [.send(last, to: tx.responseDestination, local: tx.local)]
        case .h:
            guard tx.timeoutAt == entry.at, tx.state == .completed else { return [] }
            return [.timeout(id, .h)] + terminate(id)
        case .i, .j, .l:
            guard tx.cleanupAt == entry.at else { return [] }
            return terminate(id)
        default:
            return []
        }
    }
}
