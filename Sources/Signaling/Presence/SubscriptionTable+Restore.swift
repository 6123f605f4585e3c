/// Snapshots out and back in, so subscriptions survive a restart of the daemon (phones keep their
/// lamps without re-subscribing; many only refresh after an hour).
extension SubscriptionTable {
    /// Every live subscription, in id order (what the persistence layer writes).
    public var allSubscriptions: [Subscription] {
        subscriptions.keys.sorted().compactMap { subscriptions[$0] }
    }

    /// Puts back subscriptions saved before a restart. Ones already lapsed at `now` are skipped;
    /// rate-limit windows and queues start empty. Ids continue after the highest restored one, so
    /// our To tags (derived from ids) never repeat an old dialog's.
    public mutating func restore(_ saved: [Subscription], now: SIPInstant) {
        for var sub in saved where sub.expiresAt > now && subscriptions[sub.id] == nil {
            sub.queued = []
            sub.lastNotifyAt = nil
            insert(sub)
            nextID = max(nextID, sub.id.rawValue &+ 1)
        }
    }

    /// A NOTIFY with the current state to every subscription (after a restore: state may have
    /// changed while the daemon was down, e.g. a publication lapsed).
    public mutating func notifyAll(now: SIPInstant) -> [SubscriptionAction] {
        var actions: [SubscriptionAction] = []
        for id in subscriptions.keys.sorted() { actions += notifyNow(id, now: now) }
        return actions
    }
}

extension SubscriptionTable {
    /// Sets a resource's state without notifying anybody (start-up, before subscriptions return).
    public mutating func setState(_ presentity: AddressOfRecord, package: SIPEventPackage, content: EventContent) {
        resources[EventResourceKey(presentity: presentity, package: package)] = content
    }
}
