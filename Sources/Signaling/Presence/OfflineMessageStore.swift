/// Instant messages (RFC 3428) at the edge with store-and-forward for offline users (what
/// Kamailio's msilo does): online recipients get the MESSAGE forwarded, offline ones have it
/// stored in memory (bounded) and the sender gets 202 Accepted; the recipient's next REGISTER
/// releases the queue one message at a time, oldest first (the next leaves after the 2xx of the
/// previous, so UDP cannot reorder them), each with a Date header saying when it was sent. A failed
/// delivery keeps the message for the next REGISTER. Persistence is the driver's: `allMessages`
/// out, `restore` in.
public struct OfflineMessageStore: Sendable {
    public var settings: OfflineMessageSettings
    var messages: [UInt64: OfflineMessage] = [:]
    var byRecipient: [AddressOfRecord: [UInt64]] = [:]
    var nextID: UInt64 = 1

    public init(settings: OfflineMessageSettings = OfflineMessageSettings()) {
        self.settings = settings
    }

    public var count: Int { messages.count }

    public func messages(for recipient: AddressOfRecord) -> [OfflineMessage] {
        (byRecipient[recipient] ?? []).compactMap { messages[$0] }
    }

    /// Handles one MESSAGE. `isOnline` asks the location service whether the recipient has a
    /// binding; `unixSeconds` is the wall clock (only used for the Date of a later delivery).
    public mutating func receiveMessage(_ request: SIPMessage, now: SIPInstant, unixSeconds: Int64,
                                        isOnline: (AddressOfRecord) -> Bool) -> [MessageAction]
    {
        guard request.method == .message else { return reply(request, 405, "Method Not Allowed") }
        guard let recipient = (try? request.requestURI).flatMap(AddressOfRecord.init(uri:)) else { return reply(request, 404, "Not Found") }
        guard request.body.count <= settings.maxBodyBytes else { return reply(request, 513, "Message Too Large") }
        if isOnline(recipient) { return [.deliver(request, to: recipient)] }
        return store(request, recipient: recipient, now: now, unixSeconds: unixSeconds)
    }

    /// Stores a MESSAGE (the recipient is offline, or no binding accepted it) and answers 202;
    /// a full quota is 480, an oversize body 513.
    public mutating func store(_ request: SIPMessage, recipient: AddressOfRecord, now: SIPInstant,
                               unixSeconds: Int64) -> [MessageAction]
    {
        guard let from = try? request.from else { return reply(request, 400, "Bad From") }
        guard request.body.count <= settings.maxBodyBytes else { return reply(request, 513, "Message Too Large") }
        guard messages.count < settings.maxTotal, (byRecipient[recipient]?.count ?? 0) < settings.maxPerRecipient else {
            return reply(request, 480, "Temporarily Unavailable")
        }
        let contentType = (try? request.contentType)?.description ?? "text/plain"
        let id = nextID
        nextID += 1
        messages[id] = OfflineMessage(id: id, recipient: recipient,
                                      sender: SIPNameAddress(displayName: from.displayName, uri: from.uri).description,
                                      contentType: contentType, body: Array(request.body),
                                      storedAtUnixSeconds: unixSeconds, storedAt: now)
        byRecipient[recipient, default: []].append(id)
        return reply(request, 202, "Accepted")
    }

    /// The recipient registered: the oldest stored message goes out, unless one is already in
    /// flight (the rest follow one by one from `deliveryResult`).
    public mutating func userRegistered(_ aor: AddressOfRecord, now: SIPInstant) -> [MessageAction] {
        let ids = byRecipient[aor] ?? []
        guard !ids.contains(where: { messages[$0]?.inFlight == true }), let first = ids.first else { return [] }
        return send(first)
    }

    /// The outcome of a delivery: 2xx removes the message and sends the next one of that
    /// recipient; anything else keeps it (and the rest) for the next REGISTER.
    @discardableResult
    public mutating func deliveryResult(_ id: UInt64, status: Int) -> [MessageAction] {
        guard var message = messages[id] else { return [] }
        guard (200..<300).contains(status) else {
            message.inFlight = false
            messages[id] = message
            return []
        }
        remove(id)
        guard let next = byRecipient[message.recipient]?.first else { return [] }
        return send(next)
    }

    /// Drops messages older than the retention time; returns their ids.
    @discardableResult
    public mutating func advance(to now: SIPInstant) -> [UInt64] {
        var dropped: [UInt64] = []
        for (id, message) in messages where message.storedAt + settings.retentionMilliseconds <= now {
            remove(id)
            dropped.append(id)
        }
        return dropped.sorted()
    }

    /// The earliest retention deadline.
    public var nextDeadline: SIPInstant? {
        messages.values.map(\.storedAt).min().map { $0 + settings.retentionMilliseconds }
    }

    /// Every stored message, oldest first (what the persistence layer writes).
    public var allMessages: [OfflineMessage] { messages.keys.sorted().compactMap { messages[$0] } }

    public func message(_ id: UInt64) -> OfflineMessage? { messages[id] }

    /// Puts back messages saved before a restart, in id order (= arrival order), none in flight.
    public mutating func restore(_ saved: [OfflineMessage]) {
        for var message in saved.sorted(by: { $0.id < $1.id }) where messages[message.id] == nil {
            message.inFlight = false
            messages[message.id] = message
            byRecipient[message.recipient, default: []].append(message.id)
            nextID = max(nextID, message.id &+ 1)
        }
    }

    /// The id the next stored message gets (the driver compares before/after to persist it).
    public var nextMessageID: UInt64 { nextID }

    mutating func send(_ id: UInt64) -> [MessageAction] {
        guard var message = messages[id] else { return [] }
        message.inFlight = true
        message.attempts += 1
        messages[id] = message
        guard let request = build(message) else { return [] }
        return [.sendMessage(request, to: message.recipient, stored: id)]
    }

    mutating func remove(_ id: UInt64) {
        guard let message = messages.removeValue(forKey: id) else { return }
        byRecipient[message.recipient]?.removeAll { $0 == id }
        if byRecipient[message.recipient]?.isEmpty == true { byRecipient[message.recipient] = nil }
    }

    func build(_ message: OfflineMessage) -> SIPMessage? {
        guard let uri = try? SIPURI(message.recipient.description) else { return nil }
        let headers: [(name: String, value: String)] = [
            ("Max-Forwards", "70"),
            ("From", "\(message.sender);tag=\(settings.callIDPrefix)\(message.id)"),
            ("To", "<\(message.recipient)>"),
            ("Call-ID", "\(settings.callIDPrefix)\(message.id).\(message.attempts)"),
            ("CSeq", "1 MESSAGE"),
            ("Date", RFC1123Date.format(unixSeconds: message.storedAtUnixSeconds)),
            ("Content-Type", message.contentType),
        ]
        return try? SIPMessage.request(method: .message, uri: uri, headers: headers, body: message.body)
    }

    func reply(_ request: SIPMessage, _ status: Int, _ reason: String) -> [MessageAction] {
        guard let response = try? SIPMessage.response(to: request, status: status, reason: reason, toTag: "ms") else { return [] }
        return [.respond(response)]
    }
}
