/// Instant messages (RFC 3428) at the edge with store-and-forward for offline users (what
/// Kamailio's msilo does): online recipients get the MESSAGE forwarded, offline ones have it
/// stored in memory (bounded) and the sender gets 202 Accepted; the recipient's next REGISTER
/// releases the queue, each message with a Date header saying when it was sent. A failed
/// delivery keeps the message for the next REGISTER. Not persisted across restarts.
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
        if isOnline(recipient) { return [.deliver(request, to: recipient)] }
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

    /// The recipient registered: every stored message not already in flight goes out, oldest first.
    public mutating func userRegistered(_ aor: AddressOfRecord, now: SIPInstant) -> [MessageAction] {
        var actions: [MessageAction] = []
        for id in byRecipient[aor] ?? [] {
            guard var message = messages[id], !message.inFlight else { continue }
            message.inFlight = true
            message.attempts += 1
            messages[id] = message
            if let request = build(message) { actions.append(.sendMessage(request, to: aor, stored: id)) }
        }
        return actions
    }

    /// The outcome of a delivery: 2xx removes the message, anything else keeps it for next time.
    public mutating func deliveryResult(_ id: UInt64, status: Int) {
        guard var message = messages[id] else { return }
        if (200..<300).contains(status) {
            remove(id)
        } else {
            message.inFlight = false
            messages[id] = message
        }
    }

    /// Drops messages older than the retention time.
    public mutating func advance(to now: SIPInstant) {
        for (id, message) in messages where message.storedAt + settings.retentionMilliseconds <= now { remove(id) }
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
