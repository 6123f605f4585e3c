/// What the daemon must do with a REGISTER (or a backend response to one).
public enum RegistrarAction: Sendable {
    /// Answer the phone: send on the socket the request arrived on, to the Via-derived address.
    case respond(SIPMessage)
    /// Pass-through: send this REGISTER (Path added) to the backend farm; the proxy layer adds its
    /// Via, decrements Max-Forwards and picks the backend.
    case forward(SIPMessage)
    /// Pass-through: hand the backend's response (the proxy's Via already popped) to the phone.
    case relay(SIPMessage, to: RegistrarPeer, socket: LocalSocketRef)
    /// Nothing to send (a response could not be built; counted as a bad request).
    case none
}

/// The result of one registrar input: the action plus the location changes to persist and to
/// feed to the keepalive scheduler.
public struct RegistrarOutput: Sendable {
    public var action: RegistrarAction
    public var changes: [LocationChange]
    public var result: RegistrationResult?
    /// NAT tests that fired for the REGISTER.
    public var nat: NATStatus

    public init(action: RegistrarAction, changes: [LocationChange] = [], result: RegistrationResult? = nil,
                nat: NATStatus = [])
    {
        self.action = action
        self.changes = changes
        self.result = result
        self.nat = nat
    }
}

/// The sans-I/O registrar (RFC 3261 §10.3, RFC 3327 Path) with nathelper-style NAT handling.
/// Input: a parsed REGISTER, where it came from, the local socket, and the time; output: the
/// message to send and the location changes. It owns the in-memory `LocationStore`.
public struct Registrar: Sendable {
    public var configuration: RegistrarConfiguration
    public internal(set) var store: LocationStore
    var pending: PendingRegistrationTable
    var countersStorage = RegistrarCounters()
    var dateCache: (seconds: Int64, value: [UInt8])?

    public init(configuration: RegistrarConfiguration = RegistrarConfiguration(), store: LocationStore = LocationStore()) {
        self.configuration = configuration
        self.store = store
        self.pending = PendingRegistrationTable(limit: configuration.pendingLimit)
    }

    public var counters: RegistrarCounters {
        var c = countersStorage
        c.bindings = store.bindingCount
        c.pending = pending.count
        return c
    }

    /// Whether any pass-through REGISTER waits for the backend (else `handleBackendResponse` is a no-op).
    public var hasPendingRegistrations: Bool { pending.count > 0 }

    /// Handles a REGISTER received from `source` on `socket` (the transport is `source.transport`).
    public mutating func handleRegister(_ message: SIPMessage, from source: RegistrarPeer, socket: LocalSocketRef,
                                        now: RegistrarInstant) -> RegistrarOutput
    {
        handleRegister(message, topVia: try? message.topVia, from: source, socket: socket, now: now)
    }

    /// `handleRegister` with the request's top Via already decoded by the caller (the edge's
    /// stateless path also needs it to address the answer).
    mutating func handleRegister(_ message: SIPMessage, topVia: SIPVia?, from source: RegistrarPeer,
                                 socket: LocalSocketRef, now: RegistrarInstant) -> RegistrarOutput
    {
        // Each header is parsed once here: the request's values feed the NAT tests and the 200.
        let request: RegisterRequest
        do {
            request = try RegisterRequest.parse(message, configuration: configuration)
        } catch {
            return reject(message, error, nat: NATDetector(tests: configuration.natTests).detect(message, source: source))
        }
        let nat = NATDetector(tests: configuration.natTests).detect(
            firstContact: request.firstContact, topVia: topVia, isRequest: true, source: source)
        switch configuration.domainMode(request.aor.host) {
        case nil:
            return reject(message, RegistrarRejection(403, "Domain not served here", result: .domainNotServed), nat: nat)
        case .passThrough:
            return forward(message, request, source: source, socket: socket, nat: nat, now: now)
        case .local:
            do {
                let (result, changes) = try registerLocally(request, source: source, socket: socket, nat: nat, now: now)
                countersStorage.record(result)
                countersStorage.record(changes)
                let ok = RegistrarResponseBuilder.ok(
                    to: message, parsed: request, branch: topVia?.branch,
                    bindings: store.activeBindings(of: request.aor, now: now), now: now,
                    date: configuration.addDateHeader ? dateValue(now) : nil)
                return RegistrarOutput(action: ok.map { .respond($0) } ?? .none, changes: changes, result: result, nat: nat)
            } catch {
                return reject(message, error, nat: nat)
            }
        }
    }

    /// The Date header value, formatted once per second (every REGISTER of that second reuses it).
    mutating func dateValue(_ now: RegistrarInstant) -> [UInt8] {
        let ms = now.milliseconds
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        if let cached = dateCache, cached.seconds == seconds { return cached.value }
        let value = Array(HTTPDate.format(now).utf8)
        dateCache = (seconds, value)
        return value
    }

    /// Look-up for routing: live bindings in q/recency order, or why there are none.
    public func lookup(_ aor: AddressOfRecord, now: RegistrarInstant) -> LocationLookupResult {
        store.lookup(aor, now: now)
    }

    /// Periodic sweep: removes expired bindings and times out pass-through REGISTERs the backend
    /// never answered. Call it every second or so; it costs O(expired), not O(bindings).
    public mutating func expire(now: RegistrarInstant) -> [LocationChange] {
        let changes = store.removeExpired(now: now).map { LocationChange.removed($0, reason: .expired) }
        countersStorage.record(changes)
        let cutoff = now.adding(seconds: -configuration.pendingTimeoutSeconds)
        countersStorage.pendingTimedOut += pending.removeOlder(than: cutoff)
        return changes
    }

    /// Removes one binding (keepalive timeout, administrative); nil when it is not stored.
    public mutating func removeBinding(_ key: RegistrarBindingKey, reason: BindingRemovalReason) -> LocationChange? {
        guard let gone = store.remove(key) else { return nil }
        let change = LocationChange.removed(gone, reason: reason)
        countersStorage.record([change])
        return change
    }

    /// A stream connection from `source` closed: its bindings cannot be reached any more (the
    /// phone is behind NAT or will open a new flow and re-register), so they go at once.
    public mutating func connectionClosed(_ source: RegistrarPeer) -> [LocationChange] {
        store.streamBindings(from: source).compactMap { removeBinding($0, reason: .connectionClosed) }
    }

    /// Loads persisted bindings at start-up (expired ones dropped and returned as `.expired` removals).
    public mutating func load(_ bindings: [RegistrarBinding], now: RegistrarInstant) -> [LocationChange] {
        store.load(bindings, now: now).map { .removed($0, reason: .expired) }
    }

    mutating func reject(_ message: SIPMessage, _ rejection: RegistrarRejection, nat: NATStatus) -> RegistrarOutput {
        countersStorage.record(rejection.result)
        return RegistrarOutput(action: RegistrarResponseBuilder.error(to: message, rejection).map { .respond($0) } ?? .none,
                               result: rejection.result, nat: nat)
    }
}
