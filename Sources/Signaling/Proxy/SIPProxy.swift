/// The stateful proxy core (RFC 3261 §16), sans-I/O: a transaction user on top of its own
/// `SIPTransactionLayer`. Bytes or parsed messages and clock ticks in, `SIPProxyAction`s out.
///
/// - `receive(_:from:local:now:)` with the raw bytes of every datagram / framed stream message;
/// - `advance(to:)` when the clock reaches `nextDeadline`;
/// - `transportFailed(_:)` when a send for a transaction failed;
/// - `respond`/`sendResponse`/`forward` to finish requests the router handed to the application;
/// - `sendRequest(_:to:origin:now:)` for the proxy's own requests (OPTIONS pings...).
///
/// Where requests go is decided by `router` (registrar, dispatcher), asked once per new request
/// that has no Route left after the proxy removed its own entries.
public struct SIPProxy {
    public var configuration: SIPProxyConfiguration
    public var router: any SIPProxyRouter
    public internal(set) var transactions: SIPTransactionLayer
    public internal(set) var counters = SIPProxyCounters()
    var contexts: [SIPTransactionID: SIPResponseContext] = [:]
    var owners: [SIPTransactionID: SIPClientOwner] = [:]
    /// Requests handed to the application (router `.local`), after preprocessing, by server tx.
    var localRequests: [SIPTransactionID: (processed: SIPMessage, received: SIPMessage)] = [:]
    var originatedCounter: UInt64 = 0

    public init(configuration: SIPProxyConfiguration, router: any SIPProxyRouter) {
        self.configuration = configuration
        self.router = router
        self.transactions = SIPTransactionLayer(settings: configuration.transactions)
    }

    /// When `advance(to:)` next has work.
    public var nextDeadline: SIPInstant? { transactions.nextDeadline }

    /// How many proxied requests are still in progress.
    public var activeContextCount: Int { contexts.count }
    /// Contexts still waiting for their final response (what a draining edge waits for). A context that sent its
    /// final response is kept a while longer only to absorb retransmissions and late branch answers; a stop need not
    /// wait for it. O(contexts): polled only while draining.
    public var unansweredContextCount: Int { contexts.values.reduce(0) { $0 + ($1.finalSent ? 0 : 1) } }

    // MARK: Input

    /// One message's bytes as received. Unparseable requests get a stateless 400 when enough
    /// survives to address one (`SIPMessage.salvageForErrorResponse`), else they are dropped.
    public mutating func receive(_ bytes: [UInt8], from source: SIPPeer, local: LocalSocketRef,
                                 now: SIPInstant) -> [SIPProxyAction]
    {
        let message: SIPMessage
        do {
            message = try SIPMessage.parse(bytes)
        } catch {
            counters.parseErrors += 1
            guard let salvaged = SIPMessage.salvageForErrorResponse(bytes), salvaged.method != .ack else {
                if let answer = rawErrorResponse(bytes, source: source, local: local) { return answer }
                counters.drop(.unparseable)
                return []
            }
            return statelessBadRequest(salvaged, source: source, local: local, reason: "Bad Request")
        }
        return receive(message, from: source, local: local, now: now)
    }

    /// One parsed message as received.
    public mutating func receive(_ message: SIPMessage, from source: SIPPeer, local: LocalSocketRef,
                                 now: SIPInstant) -> [SIPProxyAction]
    {
        guard message.isRequest else {
            return handle(transactions.receive(message, from: source, local: local, now: now), now: now)
        }
        var request = message
        // What validation decoded (Request-URI, Vias) is handed on so that the checks below do not parse it again.
        var decoded: SIPProxyDecodedRequest?
        if configuration.validatesRequests {
            do {
                let (requestURI, vias) = try request.validateDecoding()
                decoded = SIPProxyDecodedRequest(requestURI: requestURI, vias: vias)
            } catch {
                counters.parseErrors += 1
                guard request.method != .ack, request.canBuildStatelessResponse else {
                    if request.method != .ack, let answer = rawErrorResponse(request.bytes, source: source, local: local) {
                        return answer
                    }
                    counters.drop(.unanswerable)
                    return []
                }
                return statelessBadRequest(request, source: source, local: local, reason: "Bad Request")
            }
        } else if !request.canBuildStatelessResponse {
            counters.drop(.unanswerable)
            return []
        }
        fillReceived(&request, source: source, topVia: decoded?.vias.first)
        if request.method != .ack, router.answersStatelessly(request, source: source) {
            // The same gate as below (it is also how a drain refuses new work).
            guard !isOverloaded else { return overloaded(request, source: source, local: local) }
            return deliverStatelessly(request, source: source, local: local, decoded: decoded)
        }
        if request.method != .ack && isOverloaded && !transactions.matchesServerTransaction(request) {
            return overloaded(request, source: source, local: local)
        }
        return handle(transactions.receive(request, from: source, local: local, now: now), now: now)
    }

    /// Whether a new request gets the overload 503: too much work in progress, or too many
    /// transactions held in memory.
    var isOverloaded: Bool {
        transactions.pendingTransactionCount >= configuration.maxPendingTransactions
            || transactions.liveTransactionCount >= configuration.maxLiveTransactions
    }

    /// The overload answer: a stateless 503 with Retry-After.
    mutating func overloaded(_ request: SIPMessage, source: SIPPeer, local: LocalSocketRef) -> [SIPProxyAction] {
        counters.overloadRejections += 1
        return statelessResponse(to: request, status: 503, reason: "Service Unavailable", source: source, local: local,
                                 headers: [SIPHeaderLine("Retry-After", String(configuration.overloadRetryAfter))])
    }

    /// Fires due timers.
    public mutating func advance(to now: SIPInstant) -> [SIPProxyAction] {
        handle(transactions.advance(to: now), now: now)
    }

    /// The driver could not send for transaction `id` (connection refused, unreachable...).
    public mutating func transportFailed(_ id: SIPTransactionID, now: SIPInstant) -> [SIPProxyAction] {
        handle(transactions.transportFailed(id), now: now)
    }

    /// RFC 3261 §18.2.1 / RFC 3581 §4: note where a request really came from in its top Via:
    /// `received` when the sent-by host differs from the source address (always when rport was
    /// asked for), and the source port in `rport` when the client asked for it.
    /// `topVia`: the request's top Via when the caller already decoded it.
    mutating func fillReceived(_ request: inout SIPMessage, source: SIPPeer, topVia: SIPVia? = nil) {
        guard let via = topVia ?? (try? request.topVia) else { return }
        let rportRequested = via.rport != .absent
        let differs = via.host.address.lowercased() != source.host.lowercased()
        guard rportRequested || differs else { return }
        do {
            try request.setTopViaReceived(source.host, rport: rportRequested ? source.port : nil, topVia: via)
        } catch {
            counters.drop(.internalError)
        }
    }

    // MARK: Transaction events

    mutating func handle(_ events: [SIPTransactionEvent], now: SIPInstant) -> [SIPProxyAction] {
        var actions: [SIPProxyAction] = []
        for event in events {
            switch event {
            case .send(let message, let peer, let local):
                actions.append(.send(message, to: peer, local: local))
            case .request(let message, let server, let source, let local):
                actions += handleRequest(message, server: server, source: source, local: local, now: now)
            case .ack(let message, let source, let local):
                actions += forwardACK(message, source: source, local: local)
            case .response(let message, let client):
                actions += handleResponse(message, client: client, now: now)
            case .strayResponse(let message, _, _):
                actions += forwardStatelessResponse(message)
            case .timeout(let id, let timer):
                actions += clientFailed(id, status: 408, timer: timer, now: now)
            case .transportError(let id):
                actions += clientFailed(id, status: 503, timer: nil, now: now)
            case .timerC(let id):
                actions += timerCFired(id, now: now)
            case .terminated(let id):
                terminated(id)
            }
        }
        return actions
    }

    mutating func terminated(_ id: SIPTransactionID) {
        owners[id] = nil
        localRequests[id] = nil
        if let context = contexts[id], context.finalSent || !context.hasPendingBranches {
            contexts[id] = nil
        }
    }
}
