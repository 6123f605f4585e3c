/// Presence, BLF and MESSAGE settings of the edge (YAML `presence:`). On by default: a phone that
/// subscribes to a colleague's lamp or sends a MESSAGE gets an answer from the edge instead of the
/// farm, which never sees that traffic.
public struct EdgePresenceSettings: Sendable, Hashable {
    /// Who, inside one domain, may watch whom. Across domains the answer is always no (403).
    public enum Policy: String, Sendable, Hashable {
        /// Any user of the domain may watch any other.
        case allow
        /// Only users who share a group of `groups` (users listed as `user` or `user@domain`).
        case sameGroup = "same_group"
    }

    public var enabled = true
    /// SUBSCRIBE and PUBLISH Expires bounds: below `minExpires` is 423 + Min-Expires.
    public var minExpires = 60
    public var maxExpires = 3600
    public var defaultExpires = 600
    /// Live subscriptions one watcher AOR may hold (more is 503).
    public var maxSubscriptionsPerUser = 100
    /// At most one NOTIFY per subscription per interval; changes in between coalesce.
    public var notifyIntervalMilliseconds: Int64 = 1000
    /// dialog-info documents show only the most active call (phones that choke on several).
    public var forceSingleDialog = false
    public var policy = Policy.allow
    /// Group name → members, for `policy: same_group`.
    public var groups: [String: [String]] = [:]
    /// MESSAGE bodies above this are 513.
    public var messageMaxBytes = 4096
    /// How long a relayed MESSAGE waits for a binding's 2xx before it is stored instead (202).
    public var messageRelayTimeoutMilliseconds: Int64 = 4000
    /// Stored messages older than this are dropped.
    public var offlineExpirySeconds = 7 * 24 * 3600
    /// Stored messages per recipient (more is 480) and in total.
    public var offlineQuotaPerUser = 50
    public var offlineMaxTotal = 10_000

    public init() {}

    /// The same-domain decision `SubscriptionTable` asks for.
    func authorization() -> @Sendable (AddressOfRecord, AddressOfRecord, SIPEventPackage) -> SubscriptionAuthorization {
        guard policy == .sameGroup else { return { _, _, _ in .allow } }
        var membership: [String: Set<String>] = [:]
        for (group, members) in groups {
            for member in members { membership[member.lowercased(), default: []].insert(group) }
        }
        let table = membership
        return { watcher, presentity, _ in
            func groupsOf(_ aor: AddressOfRecord) -> Set<String> {
                let user = (aor.user ?? "").lowercased()
                return (table[user] ?? []).union(table["\(user)@\(aor.host.lowercased())"] ?? [])
            }
            return groupsOf(watcher).isDisjoint(with: groupsOf(presentity)) ? .reject : .allow
        }
    }

    func subscriptionSettings(contact: String) -> SubscriptionSettings {
        var s = SubscriptionSettings()
        s.minExpires = minExpires
        s.maxExpires = maxExpires
        s.defaultExpires = min(max(defaultExpires, minExpires), maxExpires)
        s.maxSubscriptionsPerWatcher = maxSubscriptionsPerUser
        s.notifyIntervalMilliseconds = notifyIntervalMilliseconds
        s.contact = contact
        s.authorize = authorization()
        return s
    }

    func presenceSettings() -> PresenceSettings {
        var s = PresenceSettings()
        s.minExpires = minExpires
        s.maxExpires = maxExpires
        s.defaultExpires = min(max(3600, minExpires), maxExpires)
        s.readPIDF = { EdgePIDFReader.read($0) }
        return s
    }

    func messageSettings() -> OfflineMessageSettings {
        var s = OfflineMessageSettings()
        s.maxBodyBytes = messageMaxBytes
        s.maxPerRecipient = offlineQuotaPerUser
        s.maxTotal = offlineMaxTotal
        s.retentionMilliseconds = Int64(offlineExpirySeconds) * 1000
        return s
    }
}
