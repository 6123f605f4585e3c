import Yams

/// The `presence:` section of the config file:
///
/// ```yaml
/// presence:
///   enabled: true
///   expires: { min: 60, max: 3600, default: 600 }   # SUBSCRIBE and PUBLISH, seconds
///   max_subscriptions_per_user: 100
///   notify_interval_ms: 1000        # NOTIFY rate limit per subscription
///   force_single_dialog: false
///   policy: allow                   # allow | same_group (watchers from other domains: always 403)
///   groups: { sales: [alice, bob@example.com] }
///   message: { max_bytes: 4096, relay_timeout_ms: 4000, offline_expiry: 604800,
///              offline_quota: 50, offline_max_total: 10000 }
/// ```
extension EdgeConfigurationFile {
    static func presence(_ node: Node, over base: EdgePresenceSettings, reader: EdgeYAMLReader) throws(EdgeConfigurationError)
        -> EdgePresenceSettings
    {
        var s = base
        for (key, keyNode, value) in try reader.entries(node, path: "presence.") {
            let name = "presence.\(key)"
            switch key {
            case "enabled": s.enabled = try reader.bool(value, key: name)
            case "expires":
                for (sub, subKey, subValue) in try reader.entries(value, path: "presence.expires.") {
                    let subName = "presence.expires.\(sub)"
                    switch sub {
                    case "min": s.minExpires = try reader.integer(subValue, key: subName, range: 1...86_400)
                    case "max": s.maxExpires = try reader.integer(subValue, key: subName, range: 1...86_400 * 7)
                    case "default": s.defaultExpires = try reader.integer(subValue, key: subName, range: 1...86_400 * 7)
                    default: throw reader.unknown(subKey, key: subName)
                    }
                }
            case "max_subscriptions_per_user": s.maxSubscriptionsPerUser = try reader.integer(value, key: name, range: 1...100_000)
            case "notify_interval_ms":
                s.notifyIntervalMilliseconds = Int64(try reader.integer(value, key: name, range: 0...600_000))
            case "force_single_dialog": s.forceSingleDialog = try reader.bool(value, key: name)
            case "policy":
                guard let policy = EdgePresenceSettings.Policy(rawValue: try reader.string(value, key: name).lowercased()) else {
                    throw reader.error(value, key: name, "expected allow or same_group")
                }
                s.policy = policy
            case "groups":
                var groups: [String: [String]] = [:]
                for (group, _, members) in try reader.entries(value, path: "presence.groups.") {
                    groups[group] = try reader.strings(members, key: "presence.groups.\(group)")
                }
                s.groups = groups
            case "message":
                for (sub, subKey, subValue) in try reader.entries(value, path: "presence.message.") {
                    let subName = "presence.message.\(sub)"
                    switch sub {
                    case "max_bytes": s.messageMaxBytes = try reader.integer(subValue, key: subName, range: 1...1_000_000)
                    case "relay_timeout_ms":
                        s.messageRelayTimeoutMilliseconds = Int64(try reader.integer(subValue, key: subName, range: 100...30_000))
                    case "offline_expiry": s.offlineExpirySeconds = try reader.integer(subValue, key: subName, range: 1...86_400 * 365)
                    case "offline_quota": s.offlineQuotaPerUser = try reader.integer(subValue, key: subName, range: 0...100_000)
                    case "offline_max_total": s.offlineMaxTotal = try reader.integer(subValue, key: subName, range: 0...10_000_000)
                    default: throw reader.unknown(subKey, key: subName)
                    }
                }
            default: throw reader.unknown(keyNode, key: name)
            }
        }
        guard s.minExpires <= s.maxExpires else { throw reader.error(node, key: "presence.expires.min", "must not exceed max") }
        return s
    }
}
