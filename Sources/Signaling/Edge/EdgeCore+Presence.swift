import Logging
import NIOCore

/// Presence, BLF and MESSAGE at the edge: requests the `EdgePresenceRouter` keeps local are
/// answered by the cores in `EdgePresence`; NOTIFYs and MESSAGEs the edge sends are the proxy's
/// originated requests (`SIPProxy.sendRequest`, origin `.application`), sent to the watcher's or
/// binding's source address from the socket it used, so they pass its NAT pinhole; every change
/// is queued to `presence.sqlite`.
extension EdgeCore {
    // MARK: Lifecycle

    /// Builds the services, restores what `database` holds and starts the 100 ms tick. Restored
    /// subscriptions get a NOTIFY with the current state (it may have changed while we were down).
    func startPresence(database: EdgePresenceDatabase?) {
        guard configuration.presence.enabled else { return }
        let host = listeners.first.map { Self.hostPort($0) } ?? "edge.invalid"
        let presence = EdgePresence(settings: configuration.presence, contact: "<sip:presence@\(host)>")
        if let database {
            let clock = EdgePresenceClock.now()
            do {
                let snapshot = try database.load(clock: clock)
                presence.store.restore(snapshot.publications, now: clock.monotonic)
                for aor in presence.store.presentities {
                    presence.table.setState(aor, package: .presence, content: presence.store.content(for: aor))
                }
                presence.table.restore(snapshot.subscriptions, now: clock.monotonic)
                presence.messages.restore(snapshot.messages)
                logger.info("presence loaded", metadata: [
                    "subscriptions": "\(presence.table.count)", "publications": "\(snapshot.publications.count)",
                    "messages": "\(presence.messages.count)",
                ])
            } catch {
                logger.error("presence file unreadable; starting empty", metadata: ["error": "\(error)"])
            }
            let logger = self.logger
            let writer = EdgePresencePersistence(database: database) { error in
                logger.error("presence write failed", metadata: ["error": "\(error)"])
            }
            writer.start()
            presence.persistence = writer
        }
        self.presence = presence
        installPresenceRouter()
        performSubscription(presence.table.notifyAll(now: EdgeClock.monotonicNow()), server: nil)
        let bound = NIOLoopBound(self, eventLoop: loop)
        presence.tick = loop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { _ in
            bound.value.presenceTick()
        }
    }

    /// Stops the tick and writes what is queued (shutdown).
    func stopPresence() {
        presence?.tick?.cancel()
        presence?.tick = nil
        presence?.persistence?.stop()
    }

    /// Wraps whatever router is installed (called again after a reload rebuilds it).
    func installPresenceRouter() {
        guard presence != nil, !(proxy.router is EdgePresenceRouter) else { return }
        proxy.router = EdgePresenceRouter(inner: proxy.router,
                                          isFarm: { [unowned self] peer in farmBox(at: peer) != nil })
    }

    func reloadPresence(_ new: EdgePresenceSettings) {
        configuration.presence = new
        presence?.apply(new)
        installPresenceRouter()
    }

    /// Expiries, rate-limited NOTIFYs, lapsed publications, old stored messages, relay timeouts.
    func presenceTick() {
        guard let presence else { return }
        let now = EdgeClock.monotonicNow()
        presence.dialogs.advance(to: now)
        if let due = presence.store.nextDeadline, due <= now {
            publicationsChanged(presence.store.advance(to: now), now: now)
        }
        if let due = presence.table.nextDeadline, due <= now {
            performSubscription(presence.table.advance(to: now), server: nil)
        }
        if let due = presence.messages.nextDeadline, due <= now {
            presence.persistence?.enqueue(presence.messages.advance(to: now).map { .messageRemoved($0) })
        }
        for (id, relay) in presence.relays where relay.deadline <= now {
            presence.relays[id] = nil
            relayFailed(relay)
        }
    }

    // MARK: Requests kept at the edge

    /// SUBSCRIBE, PUBLISH, MESSAGE delivered locally by the router; false for other methods.
    func handlePresenceRequest(_ message: SIPMessage, server: SIPTransactionID, source: SIPPeer, local: LocalSocketRef) -> Bool {
        guard let presence else { return false }
        let now = EdgeClock.monotonicNow()
        switch message.method {
        case .subscribe:
            presence.counters.subscribes += 1
            refreshDialogState(for: message, presence: presence)
            performSubscription(presence.table.receiveSubscribe(message, from: source, local: local, now: now), server: server)
        case .publish:
            presence.counters.publishes += 1
            let result = presence.store.receivePublish(message, now: now)
            if let response = result.response { perform(proxy.sendResponse(response, on: server, now: now)) }
            if let changed = result.changed {
                publicationsChanged([changed], now: now)
            } else if let aor = (try? message.requestURI).flatMap(AddressOfRecord.init(uri:)) {
                persistPublications(aor)  // a refresh: new entity-tag and expiry
            }
        case .message:
            let unix = EdgeClock.wallNow().milliseconds / 1000
            let actions = storingMessages {
                presence.messages.receiveMessage(message, now: now, unixSeconds: unix) { [unowned self] aor in
                    if case .found = registrar.lookup(aor, now: EdgeClock.wallNow()) { return true }
                    return false
                }
            }
            performMessages(actions, server: server, unixSeconds: unix)
        default:
            return false
        }
        return true
    }

    /// Runs a store operation and persists the message it stored, if any.
    func storingMessages(_ body: () -> [MessageAction]) -> [MessageAction] {
        guard let presence else { return [] }
        let before = presence.messages.nextMessageID
        let actions = body()
        if presence.messages.nextMessageID != before, let stored = presence.messages.message(before) {
            presence.counters.messagesStored += 1
            presence.persistence?.enqueue([.message(stored)])
        }
        return actions
    }

    // MARK: Dialog state from proxied calls

    /// Feeds a message the edge received or sends to the BLF tracker; watchers of the AORs whose
    /// dialog state changed get a NOTIFY (rate-limited by the table).
    func observeDialogs(_ message: SIPMessage, fromFarm: Bool) {
        guard let presence, let event = EdgeDialogObserver.event(for: message, fromFarm: fromFarm) else { return }
        let now = EdgeClock.monotonicNow()
        for update in presence.dialogs.apply(event, now: now, wanted: { presence.table.isWatched($0, package: .dialog) }) {
            performSubscription(presence.table.stateChanged(update.aor, package: .dialog, content: .dialogInfo(update.document),
                                                            now: now), server: nil)
        }
    }

    /// Dialog documents are built only for watched AORs as calls change, so the table's copy of an unwatched
    /// AOR's state is stale: a dialog SUBSCRIBE gets the tracker's current document first.
    func refreshDialogState(for message: SIPMessage, presence: EdgePresence) {
        guard let event = message.values(.event).first, SIPEventPackage(eventHeader: event) == .dialog,
              let aor = (try? message.requestURI).flatMap(AddressOfRecord.init(uri:)),
              !presence.table.isWatched(aor, package: .dialog) else { return }
        presence.table.setState(aor, package: .dialog, content: .dialogInfo(presence.dialogs.document(for: aor)))
    }

    // MARK: State changes

    func publicationsChanged(_ aors: [AddressOfRecord], now: SIPInstant) {
        guard let presence else { return }
        for aor in aors {
            persistPublications(aor)
            performSubscription(presence.table.stateChanged(aor, package: .presence, content: presence.store.content(for: aor),
                                                            now: now), server: nil)
        }
    }

    func persistPublications(_ aor: AddressOfRecord) {
        guard let presence, let persistence = presence.persistence else { return }
        let clock = EdgePresenceClock.now()
        let list = presence.store.publications(of: aor).map { ($0, expiresAtWall: clock.wall($0.expiresAt)) }
        persistence.enqueue([.publications(aor, list)])
    }

    /// Executes the subscription table's actions: responses on `server`, NOTIFYs as originated
    /// requests to the subscription's peer and socket, and persistence of each change.
    func performSubscription(_ actions: [SubscriptionAction], server: SIPTransactionID?) {
        guard let presence, !actions.isEmpty else { return }
        let now = EdgeClock.monotonicNow()
        let clock = EdgePresenceClock.now()
        var records: [EdgePresenceRecord] = []
        for action in actions {
            switch action {
            case .respond(let response):
                if let server { perform(proxy.sendResponse(response, on: server, now: now)) }
            case .sendNotify(let notify, let peer, let id):
                let sub = presence.table.subscription(id)
                if let sub { records.append(.subscription(sub, expiresAtWall: clock.wall(sub.expiresAt))) }
                guard let uri = try? notify.requestURI else { continue }
                presence.counters.notifies += 1
                if !sendPresenceRequest(notify, to: SIPTarget(uri: uri, nextHop: peer, local: sub?.socket), for: .notify(id)) {
                    presence.counters.notifyFailures += 1
                }
            case .expired(let id):
                records.append(.subscriptionRemoved(id))
            }
        }
        presence.persistence?.enqueue(records)
    }

    /// Sends one of our requests through the proxy's client transactions; false if refused.
    @discardableResult
    func sendPresenceRequest(_ request: SIPMessage, to target: SIPTarget, for purpose: EdgePresenceRequest) -> Bool {
        guard let presence else { return false }
        let id = presence.nextRequestID()
        presence.requests[id] = purpose
        do {
            let sent = try proxy.sendRequest(request, to: target, origin: .application(id), now: EdgeClock.monotonicNow())
            perform(sent.actions)
            return true
        } catch {
            presence.requests[id] = nil
            logger.debug("presence request not sent", metadata: ["error": "\(error)", "to": "\(target.uri)"])
            return false
        }
    }

    /// Whether `.application(id)` is one of ours (so `perform` routes its outcome here).
    func ownsPresenceRequest(_ id: UInt64) -> Bool { presence?.requests[id] != nil }

    /// The final outcome of one of our requests (a transaction failure counts as 408).
    func presenceRequestEnded(_ id: UInt64, status: Int) {
        guard let presence, let purpose = presence.requests.removeValue(forKey: id) else { return }
        switch purpose {
        case .notify(let sub):
            if status >= 300 { presence.counters.notifyFailures += 1 }
            performSubscription(presence.table.notifyResult(sub, status: status, now: EdgeClock.monotonicNow()), server: nil)
        case .storedMessage(let messageID):
            let next = presence.messages.deliveryResult(messageID, status: status)
            if (200..<300).contains(status) {
                presence.counters.messagesDelivered += 1
                presence.persistence?.enqueue([.messageRemoved(messageID)])
            }
            performMessages(next, server: nil, unixSeconds: 0)
        case .relayBranch(let relayID):
            relayBranchEnded(relayID, status: status)
        }
    }

    // MARK: Location changes

    /// A binding was saved (REGISTER): stored messages of that AOR start going out, one by one,
    /// just after the REGISTER's own response has left (a phone ignores requests before it
    /// knows it is registered, and UDP would not keep the order).
    func presenceLocationChanged(_ changes: [LocationChange]) {
        guard let presence, presence.messages.count > 0 else { return }
        var aors: Set<AddressOfRecord> = []
        for case .saved(let binding, _) in changes { aors.insert(binding.key.aor) }
        guard !aors.isEmpty else { return }
        let bound = NIOLoopBound(self, eventLoop: loop)
        let registered = aors.sorted()
        loop.scheduleTask(in: .milliseconds(20)) {
            let core = bound.value
            for aor in registered {
                guard let presence = core.presence else { return }
                core.performMessages(presence.messages.userRegistered(aor, now: EdgeClock.monotonicNow()), server: nil, unixSeconds: 0)
            }
        }
    }
}
