/// The notifier side of the SIP event framework (RFC 6665) for the edge: SUBSCRIBE in, responses
/// and NOTIFYs out. Sans-I/O: the driver passes parsed requests, the clock (`now`), NOTIFY
/// outcomes and state changes of resources (from `PresenceStore` / `DialogStateTracker`), and
/// calls `advance(to:)` when `nextDeadline` comes.
///
/// The current state of every resource is kept here (`stateChanged`) so that a new SUBSCRIBE can
/// be answered with its immediate NOTIFY without asking anybody.
public struct SubscriptionTable: Sendable {
    public var settings: SubscriptionSettings
    var subscriptions: [SubscriptionID: Subscription] = [:]
    var byDialog: [SubscriptionDialogKey: SubscriptionID] = [:]
    var byResource: [EventResourceKey: Set<SubscriptionID>] = [:]
    var perWatcher: [AddressOfRecord: Int] = [:]
    var resources: [EventResourceKey: EventContent] = [:]
    var nextID: UInt64 = 1

    public init(settings: SubscriptionSettings = SubscriptionSettings()) {
        self.settings = settings
    }

    public var count: Int { subscriptions.count }

    public func subscription(_ id: SubscriptionID) -> Subscription? { subscriptions[id] }

    /// Whether anybody watches the resource (cheap: the edge asks on every call event).
    public func isWatched(_ presentity: AddressOfRecord, package: SIPEventPackage) -> Bool {
        byResource[EventResourceKey(presentity: presentity, package: package)]?.isEmpty == false
    }

    /// The live subscriptions to one resource (for admin views and tests).
    public func subscriptions(to presentity: AddressOfRecord, package: SIPEventPackage) -> [Subscription] {
        (byResource[EventResourceKey(presentity: presentity, package: package)] ?? []).sorted().compactMap { subscriptions[$0] }
    }

    /// Handles one SUBSCRIBE: new subscription, refresh, unsubscribe (Expires 0) or fetch (a new
    /// SUBSCRIBE with Expires 0). Answers 200 (not 202: RFC 6665 §8.3.1 deprecates 202) followed
    /// by the immediate NOTIFY with the current state.
    public mutating func receiveSubscribe(_ request: SIPMessage, from peer: SIPPeer, local: LocalSocketRef? = nil,
                                          now: SIPInstant) -> [SubscriptionAction]
    {
        guard request.method == .subscribe else { return reply(request, 405, "Method Not Allowed") }
        let eventValue = request.values(.event).first ?? ""
        guard let package = SIPEventPackage(eventHeader: eventValue), settings.packages.contains(package) else {
            let allowed = settings.packages.map(\.rawValue).sorted().joined(separator: ", ")
            return reply(request, 489, "Bad Event", extra: [("Allow-Events", allowed)])
        }
        let eventID = SIPEventPackage.eventID(eventValue)
        guard let callID = try? request.callID, let from = try? request.from, let to = try? request.to,
              let watcherTag = from.tag, let watcher = AddressOfRecord(uri: from.uri)
        else { return reply(request, 400, "Bad Request") }
        var expires = settings.defaultExpires
        if let asked = try? request.expires { expires = asked }
        if expires > 0 && expires < settings.minExpires {
            return reply(request, 423, "Interval Too Brief", extra: [("Min-Expires", "\(settings.minExpires)")])
        }
        expires = min(expires, settings.maxExpires)
        let contact = (try? request.contacts)?.addresses.first?.uri.description

        if let localTag = to.tag {
            let key = SubscriptionDialogKey(callID: callID, watcherTag: watcherTag, localTag: localTag,
                                            package: package, eventID: eventID)
            guard let id = byDialog[key], var sub = subscriptions[id] else {
                return reply(request, 481, "Subscription Does Not Exist")
            }
            sub.peer = peer
            if let local { sub.socket = local }
            if let contact { sub.remoteTarget = contact }
            sub.expiresAt = now + Int64(expires) * 1000
            subscriptions[id] = sub
            var actions = reply(request, 200, "OK", extra: [("Expires", "\(expires)"), ("Contact", settings.contact)])
            if expires == 0 {
                actions += finish(id, reason: .timeout, now: now)
            } else {
                actions += notifyNow(id, now: now)
            }
            return actions
        }

        guard let presentity = (try? request.requestURI).flatMap(AddressOfRecord.init(uri:)) else {
            return reply(request, 404, "Not Found")
        }
        guard watcher.host == presentity.host else { return reply(request, 403, "Forbidden") }
        let decision = settings.authorize(watcher, presentity, package)
        guard decision != .reject else { return reply(request, 403, "Forbidden") }
        guard let contact else { return reply(request, 400, "Missing Contact") }
        guard perWatcher[watcher, default: 0] < settings.maxSubscriptionsPerWatcher || expires == 0 else {
            return reply(request, 503, "Too Many Subscriptions", extra: [("Retry-After", "60")])
        }

        let id = SubscriptionID(nextID)
        nextID += 1
        let localTag = "\(settings.tagPrefix)\(id.rawValue)"
        let sub = Subscription(
            id: id, package: package, eventID: eventID, watcher: watcher, presentity: presentity, callID: callID,
            watcherTag: watcherTag, localTag: localTag,
            watcherURI: SIPNameAddress(displayName: from.displayName, uri: from.uri).description,
            presentityURI: SIPNameAddress(uri: to.uri).description,
            remoteTarget: contact, routeSet: ((try? request.recordRoutes) ?? []).map(\.description),
            peer: peer, socket: local, authorization: decision, expiresAt: now + Int64(expires) * 1000)
        insert(sub)
        var actions = reply(request, 200, "OK", toTag: localTag,
                            extra: [("Expires", "\(expires)"), ("Contact", settings.contact)])
        actions += expires == 0 ? finish(id, reason: .timeout, now: now) : notifyNow(id, now: now)
        return actions
    }

    /// The outcome of a NOTIFY we sent. 481 (the watcher forgot the dialog) and 408 (no answer;
    /// also what the driver reports on a transaction timeout) end the subscription without a
    /// further NOTIFY; other statuses change nothing.
    public mutating func notifyResult(_ id: SubscriptionID, status: Int, now: SIPInstant) -> [SubscriptionAction] {
        guard status == 481 || status == 408, subscriptions[id] != nil else { return [] }
        remove(id)
        return [.expired(id)]
    }

    /// Ends the pending state of a subscription: `allow` sends the state (active), otherwise
    /// `terminated;reason=rejected` and the subscription is gone.
    public mutating func resolvePending(_ id: SubscriptionID, allow: Bool, now: SIPInstant) -> [SubscriptionAction] {
        guard var sub = subscriptions[id], sub.authorization == .pending else { return [] }
        if allow {
            sub.authorization = .allow
            subscriptions[id] = sub
            return notifyNow(id, now: now)
        }
        return finish(id, reason: .rejected, now: now)
    }

    /// A resource's state changed: every authorized subscription to it is notified, at most once
    /// per `notifyIntervalMilliseconds`; what arrives sooner waits and coalesces.
    public mutating func stateChanged(_ presentity: AddressOfRecord, package: SIPEventPackage, content: EventContent,
                                      now: SIPInstant) -> [SubscriptionAction]
    {
        let key = EventResourceKey(presentity: presentity, package: package)
        // Unchanged state (the same response seen inbound and relayed, a PUBLISH that composes to
        // the same document) is no news: no NOTIFY.
        guard resources[key] != content else { return [] }
        resources[key] = content
        var actions: [SubscriptionAction] = []
        for id in (byResource[key] ?? []).sorted() {
            guard var sub = subscriptions[id], sub.authorization == .allow else { continue }
            if sub.queued.isEmpty, isWindowOpen(sub, now: now) {
                actions += notifyNow(id, now: now)
                continue
            }
            if let last = sub.queued.last, content.subsumes(last) || sub.queued.count >= settings.maxQueuedDialogDocuments {
                sub.queued[sub.queued.count - 1] = content
            } else {
                sub.queued.append(content)
            }
            subscriptions[id] = sub
        }
        return actions
    }

    /// Removes a resource's state (e.g. the presentity is deleted): its watchers get
    /// `terminated;reason=noresource`.
    public mutating func resourceRemoved(_ presentity: AddressOfRecord, package: SIPEventPackage, now: SIPInstant) -> [SubscriptionAction] {
        let key = EventResourceKey(presentity: presentity, package: package)
        resources[key] = nil
        var actions: [SubscriptionAction] = []
        for id in (byResource[key] ?? []).sorted() { actions += finish(id, reason: .noresource, now: now) }
        return actions
    }

    func isWindowOpen(_ sub: Subscription, now: SIPInstant) -> Bool {
        guard let last = sub.lastNotifyAt else { return true }
        return now >= last + settings.notifyIntervalMilliseconds
    }

    mutating func insert(_ sub: Subscription) {
        subscriptions[sub.id] = sub
        byDialog[dialogKey(sub)] = sub.id
        byResource[EventResourceKey(presentity: sub.presentity, package: sub.package), default: []].insert(sub.id)
        perWatcher[sub.watcher, default: 0] += 1
    }

    mutating func remove(_ id: SubscriptionID) {
        guard let sub = subscriptions.removeValue(forKey: id) else { return }
        byDialog[dialogKey(sub)] = nil
        let key = EventResourceKey(presentity: sub.presentity, package: sub.package)
        byResource[key]?.remove(id)
        if byResource[key]?.isEmpty == true { byResource[key] = nil }
        let left = perWatcher[sub.watcher, default: 1] - 1
        perWatcher[sub.watcher] = left > 0 ? left : nil
    }

    func dialogKey(_ sub: Subscription) -> SubscriptionDialogKey {
        SubscriptionDialogKey(callID: sub.callID, watcherTag: sub.watcherTag, localTag: sub.localTag,
                              package: sub.package, eventID: sub.eventID)
    }

    func reply(_ request: SIPMessage, _ status: Int, _ reason: String, toTag: String? = nil,
               extra: [(name: String, value: String)] = []) -> [SubscriptionAction]
    {
        let tag = toTag ?? (status >= 200 ? "\(settings.tagPrefix)0" : nil)
        guard let response = try? SIPMessage.response(to: request, status: status, reason: reason, toTag: tag,
                                                      extraHeaders: extra)
        else { return [] }
        return [.respond(response)]
    }
}
