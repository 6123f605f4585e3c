/// ng replies that wait for the data plane: an offer/answer/delete reply leaves only once every worker command it
/// caused is applied (media sent to the new ports right after the reply must be forwarded; after a delete reply the
/// ports no longer forward). The control thread never waits for that: it parks the reply here, keeps reading
/// commands, and sends it when the workers' acknowledgement eventfd says they caught up.
///
/// Duplicate cookies keep their meaning: a retransmission that arrives while the first copy's reply is parked joins
/// it (it gets the same reply at the same moment, never earlier); later ones are answered by the cookie cache.
/// Replies leave in arrival order per entry; an entry whose workers have not answered within `timeout` is sent
/// anyway, as the bounded wait did before.
struct NGPendingReplies {
    struct Entry {
        var cookie: [UInt8]
        var reply: [UInt8]
        /// Where to send it: the request and any duplicates that arrived meanwhile (bytes emptied).
        var recipients: [NGUDPListener.Datagram]
        var tickets: [CommandTicket]
        var deadline: Int64
        /// The call the command changed (its kernel offload check runs when the reply leaves).
        var callID: String?
    }

    /// How long (ms, monotonic) a reply waits for the workers at most.
    let timeoutMilliseconds: Int64
    private(set) var entries: [Entry] = []

    init(timeoutMilliseconds: Int64 = 250) {
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    var isEmpty: Bool { entries.isEmpty }

    /// Parks `reply` for `request` until `tickets` are applied.
    mutating func park(_ reply: [UInt8], cookie: [UInt8], for request: NGUDPListener.Datagram,
                       tickets: [CommandTicket], now: Int64, callID: String? = nil) {
        var recipient = request
        recipient.bytes = []
        entries.append(Entry(cookie: cookie, reply: reply, recipients: [recipient], tickets: tickets,
                             deadline: now + timeoutMilliseconds, callID: callID))
    }

    /// Adds a duplicate request to the parked entry with the same cookie; false when there is none.
    mutating func join(cookie: [UInt8], request: NGUDPListener.Datagram) -> Bool {
        guard let index = entries.firstIndex(where: { $0.cookie == cookie }) else { return false }
        var recipient = request
        recipient.bytes = []
        entries[index].recipients.append(recipient)
        return true
    }

    /// Removes and returns the entries that may leave now: all their tickets applied, or their deadline passed.
    mutating func takeReady(now: Int64, isApplied: (CommandTicket) -> Bool) -> [Entry] {
        guard !entries.isEmpty else { return [] }
        var ready: [Entry] = []
        var kept: [Entry] = []
        kept.reserveCapacity(entries.count)
        for entry in entries {
            if entry.deadline <= now || entry.tickets.allSatisfy(isApplied) { ready.append(entry) } else { kept.append(entry) }
        }
        entries = kept
        return ready
    }

    /// Milliseconds until the earliest deadline (0 when one has passed), nil when empty.
    func millisecondsUntilDeadline(now: Int64) -> Int64? {
        entries.map(\.deadline).min().map { max(0, $0 - now) }
    }
}
