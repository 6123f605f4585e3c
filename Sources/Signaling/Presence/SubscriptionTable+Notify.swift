/// Building and timing NOTIFYs.
extension SubscriptionTable {
    /// The earliest instant `advance(to:)` has work: an expiry or a queued NOTIFY whose window
    /// opens. A linear scan: fine for an edge's thousands of subscriptions, not for millions.
    public var nextDeadline: SIPInstant? {
        var best: SIPInstant?
        for sub in subscriptions.values {
            var due = sub.expiresAt
            if !sub.queued.isEmpty, let last = sub.lastNotifyAt {
                due = min(due, last + settings.notifyIntervalMilliseconds)
            }
            if best.map({ due < $0 }) ?? true { best = due }
        }
        return best
    }

    /// Expires subscriptions (`terminated;reason=timeout`) and sends queued NOTIFYs whose window opened.
    public mutating func advance(to now: SIPInstant) -> [SubscriptionAction] {
        var actions: [SubscriptionAction] = []
        for id in subscriptions.keys.sorted() {
            guard var sub = subscriptions[id] else { continue }
            if sub.expiresAt <= now {
                actions += finish(id, reason: .timeout, now: now)
            } else if !sub.queued.isEmpty, isWindowOpen(sub, now: now) {
                let content = sub.queued.removeFirst()
                subscriptions[id] = sub
                actions += send(id, state: .active(expires: sub.remainingSeconds(at: now)), content: content, now: now)
            }
        }
        return actions
    }

    /// The NOTIFY with the resource's current state; drops whatever was queued, since the current
    /// state is the newest there is.
    mutating func notifyNow(_ id: SubscriptionID, now: SIPInstant) -> [SubscriptionAction] {
        guard var sub = subscriptions[id] else { return [] }
        sub.queued.removeAll()
        subscriptions[id] = sub
        let remaining = sub.remainingSeconds(at: now)
        let state: SubscriptionStateValue = sub.authorization == .allow ? .active(expires: remaining) : .pending(expires: remaining)
        return send(id, state: state, content: currentContent(sub), now: now)
    }

    /// The final NOTIFY and removal.
    mutating func finish(_ id: SubscriptionID, reason: SubscriptionTerminationReason, now: SIPInstant) -> [SubscriptionAction] {
        guard let sub = subscriptions[id] else { return [] }
        let content: EventContent? = reason == .noresource ? nil : currentContent(sub)
        var actions = send(id, state: .terminated(reason), content: content, now: now)
        remove(id)
        actions.append(.expired(id))
        return actions
    }

    func currentContent(_ sub: Subscription) -> EventContent {
        resources[EventResourceKey(presentity: sub.presentity, package: sub.package)]
            ?? .empty(sub.package, entity: sub.presentity)
    }

    /// One in-dialog NOTIFY (RFC 6665 §4.2.2). State is only shown to authorized watchers.
    mutating func send(_ id: SubscriptionID, state: SubscriptionStateValue, content: EventContent?,
                       now: SIPInstant) -> [SubscriptionAction]
    {
        guard var sub = subscriptions[id], let target = try? SIPURI(sub.remoteTarget) else { return [] }
        sub.localCSeq &+= 1
        sub.lastNotifyAt = now
        var body: (contentType: String, body: [UInt8])?
        if let content, sub.authorization == .allow {
            if case .dialogInfo = content { sub.dialogVersion += 1 }
            body = content.rendered(version: max(sub.dialogVersion, 0))
        }
        subscriptions[id] = sub
        var headers: [(name: String, value: String)] = sub.routeSet.map { ("Route", $0) }
        headers += [
            ("Max-Forwards", "70"),
            ("From", "\(sub.presentityURI);tag=\(sub.localTag)"),
            ("To", "\(sub.watcherURI);tag=\(sub.watcherTag)"),
            ("Call-ID", sub.callID),
            ("CSeq", "\(sub.localCSeq) NOTIFY"),
            ("Contact", settings.contact),
            ("Event", sub.eventID.map { "\(sub.package.rawValue);id=\($0)" } ?? sub.package.rawValue),
            ("Subscription-State", state.description),
        ]
        if let body { headers.append(("Content-Type", body.contentType)) }
        guard let notify = try? SIPMessage.request(method: .notify, uri: target, headers: headers, body: body?.body ?? [])
        else { return [] }
        return [.sendNotify(notify, to: sub.peer, subscription: id)]
    }
}
