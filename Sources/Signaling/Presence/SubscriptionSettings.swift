/// What a watcher in the presentity's own domain is allowed to see. Watchers from other domains
/// are always refused (403) before this is asked: the edge does not federate presence.
public enum SubscriptionAuthorization: Sendable, Hashable {
    case allow
    /// Subscription accepted but no state until `SubscriptionTable.resolvePending` (RFC 6665 "pending").
    case pending
    case reject
}

/// Limits and policy of the `SubscriptionTable`.
public struct SubscriptionSettings: Sendable {
    /// 423 below this (RFC 6665 §4.2.1.1), except Expires 0 which ends/fetches.
    public var minExpires: Int = 60
    /// Longer requests are shortened to this.
    public var maxExpires: Int = 3600
    /// Used when a SUBSCRIBE has no Expires.
    public var defaultExpires: Int = 600
    /// Packages answered; the rest get 489.
    public var packages: Set<SIPEventPackage> = [.presence, .dialog]
    /// Live subscriptions one watcher AOR may hold; more is 503 with Retry-After, since a phone
    /// with a runaway BLF list must not fill the table.
    public var maxSubscriptionsPerWatcher: Int = 100
    /// At most one NOTIFY per subscription in this many milliseconds; changes in between coalesce.
    public var notifyIntervalMilliseconds: Int64 = 1000
    /// How many distinct dialog documents may wait in one subscription's queue (see README).
    public var maxQueuedDialogDocuments: Int = 8
    /// Our Contact in 200s and NOTIFYs (the target of the watcher's in-dialog requests).
    public var contact: String = "<sip:presence@127.0.0.1>"
    /// Prefix of the To tags we mint (a counter follows).
    public var tagPrefix: String = "ps"
    /// Same-domain policy: (watcher, presentity, package) → decision.
    public var authorize: @Sendable (AddressOfRecord, AddressOfRecord, SIPEventPackage) -> SubscriptionAuthorization = { _, _, _ in .allow }

    public init() {}
}
