/// The RFC 3261 §17 transaction layer, sans-I/O: messages and clock ticks in, `SIPTransactionEvent`s
/// out. It owns every client and server transaction in dictionaries keyed by id, with indexes by
/// the §17.1.3 / §17.2.3 matching keys, and one deadline heap for all their timers.
///
/// Driving it:
/// - `receive(_:from:local:now:)` for every parsed message from the transport;
/// - `sendRequest(_:to:local:timerC:now:)` to start a client transaction (the request must carry
///   its top Via with a unique RFC 3261 branch: the TU, i.e. the proxy, writes it);
/// - `sendResponse(_:on:now:)` to answer on a server transaction;
/// - `advance(to:)` whenever the clock reaches `nextDeadline` (calling it early or late is fine).
///
/// Retransmissions (timers A, E, G) run only when the transaction's transport is unreliable, and
/// the wait timers D, I, J, K are zero over reliable transports, as §17 prescribes.
public struct SIPTransactionLayer: Sendable {
    /// What the layer can be told besides the RFC timers.
    public struct Settings: Sendable, Hashable {
        public var timers: SIPTimerSettings
        /// Whether an INVITE server transaction answers 100 Trying itself on creation (§17.2.1:
        /// required unless the TU answers within 200 ms; a proxy always wants it, §16.2).
        public var sendsTryingForInvite: Bool
        /// Extra header lines for the automatic 100 Trying (e.g. `Server`).
        public var tryingHeaders: [SIPHeaderLine]

        public init(timers: SIPTimerSettings = .default, sendsTryingForInvite: Bool = true, tryingHeaders: [SIPHeaderLine] = []) {
            self.timers = timers
            self.sendsTryingForInvite = sendsTryingForInvite
            self.tryingHeaders = tryingHeaders
        }
    }

    public var settings: Settings
    var clients: [SIPTransactionID: SIPClientTransaction] = [:]
    var servers: [SIPTransactionID: SIPServerTransaction] = [:]
    var clientIndex: [SIPClientTransactionKey: SIPTransactionID] = [:]
    var serverIndex: [SIPServerTransactionKey: SIPTransactionID] = [:]
    var deadlines = SIPDeadlineHeap()
    var lastID: UInt64 = 0
    /// Transactions still waiting for a final response (see `pendingTransactionCount`), kept up to
    /// date on every state change so that the overload gate reads it in O(1).
    public internal(set) var pendingTransactionCount = 0

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    var timers: SIPTimerSettings { settings.timers }

    // MARK: Queries

    /// Client plus server transactions alive now, including the ones that only wait out an
    /// absorb timer (D, I, J, K, L, M: up to 64·T1 = 32 s after their final response). This is a
    /// memory figure: at 1,500 calls/s it is ~150,000 with nothing in progress.
    public var liveTransactionCount: Int { clients.count + servers.count }
    // `pendingTransactionCount` (stored above): server transactions that have not sent a final
    // response (Trying/Proceeding) plus client transactions that have not received one
    // (Calling/Trying/Proceeding): the work in progress, which is what an overload limit counts.
    public var clientTransactionCount: Int { clients.count }
    public var serverTransactionCount: Int { servers.count }

    /// The earliest instant `advance(to:)` has something to do (may be a stale, already cancelled
    /// timer; advancing to it then does nothing). nil when no timer runs.
    public var nextDeadline: SIPInstant? { deadlines.earliest }

    public func clientState(_ id: SIPTransactionID) -> SIPClientTransactionState? { clients[id]?.state.publicState }
    public func serverState(_ id: SIPTransactionID) -> SIPServerTransactionState? { servers[id]?.state.publicState }

    /// The request a transaction (client or server) was created for.
    public func request(of id: SIPTransactionID) -> SIPMessage? { clients[id]?.request ?? servers[id]?.request }

    /// Where a server transaction's responses go and from which socket.
    public func responseRoute(of id: SIPTransactionID) -> (peer: SIPPeer, local: LocalSocketRef)? {
        guard let tx = servers[id] else { return nil }
        return (tx.responseDestination, tx.local)
    }

    /// Where a client transaction sends its request.
    public func destination(of id: SIPTransactionID) -> (peer: SIPPeer, local: LocalSocketRef?)? {
        guard let tx = clients[id] else { return nil }
        return (tx.destination, tx.local)
    }

    /// Whether the client transaction has seen a provisional response above 100.
    public func hasReceivedProvisional(_ id: SIPTransactionID) -> Bool { clients[id]?.receivedProvisional ?? false }

    /// The live INVITE server transaction a CANCEL refers to (§9.2: same branch and sent-by).
    public func inviteTransaction(matchingCancel cancel: SIPMessage) -> SIPTransactionID? {
        guard let key = SIPServerTransactionKey(request: cancel) else { return nil }
        return serverIndex[key.matchingInvite]
    }

    /// Whether `request` would be absorbed by (or, for ACK, land on) an existing server transaction.
    public func matchesServerTransaction(_ request: SIPMessage) -> Bool {
        guard let key = SIPServerTransactionKey(request: request) else { return false }
        return serverIndex[key] != nil
    }

    // MARK: Input

    /// Feeds one message received from `source` on `local`. Requests are matched to server
    /// transactions (retransmissions absorbed, the last response re-sent; an ACK for a non-2xx
    /// absorbed), or create one; responses are matched to client transactions.
    public mutating func receive(_ message: SIPMessage, from source: SIPPeer, local: LocalSocketRef,
                                 now: SIPInstant) -> [SIPTransactionEvent]
    {
        if message.isRequest {
            return receiveRequest(message, from: source, local: local, now: now)
        }
        guard let key = SIPClientTransactionKey(message: message), let id = clientIndex[key] else {
            return [.strayResponse(message, source: source, local: local)]
        }
        return receiveResponse(message, client: id, now: now)
    }

    /// The transport could not deliver a message of this transaction (connection refused, no
    /// route, ...): the transaction ends and the TU is told (§17.1.4, §17.2.4).
    public mutating func transportFailed(_ id: SIPTransactionID) -> [SIPTransactionEvent] {
        guard clients[id] != nil || servers[id] != nil else { return [] }
        return [.transportError(id)] + terminate(id)
    }

    // MARK: Bookkeeping

    mutating func nextID() -> SIPTransactionID {
        lastID &+= 1
        return SIPTransactionID(lastID)
    }

    mutating func arm(_ timer: SIPTimerName, for id: SIPTransactionID, at: SIPInstant) {
        deadlines.push(.init(at: at, transaction: id, timer: timer))
    }

    /// Removes a transaction and its index entry; its heap entries go stale. The stored state
    /// decides whether it was still pending, so callers store a final state before terminating.
    mutating func terminate(_ id: SIPTransactionID) -> [SIPTransactionEvent] {
        if let tx = clients.removeValue(forKey: id) {
            if clientIndex[tx.key] == id { clientIndex[tx.key] = nil }
            if tx.state.isPending { pendingTransactionCount -= 1 }
            return [.terminated(id)]
        }
        if let tx = servers.removeValue(forKey: id) {
            if serverIndex[tx.key] == id { serverIndex[tx.key] = nil }
            if tx.state.isPending { pendingTransactionCount -= 1 }
            return [.terminated(id)]
        }
        return []
    }
}

/// One header line given as text (name as it should be written, value without CRLF).
public struct SIPHeaderLine: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    var tuple: (name: String, value: String) { (name, value) }
}
