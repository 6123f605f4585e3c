/// Why a subscription ended, as written in `Subscription-State: terminated;reason=...`
/// (RFC 6665 §8.2.3 / §4.1.3).
public enum SubscriptionTerminationReason: String, Sendable, Hashable {
    case timeout, noresource, rejected, deactivated, giveup, probation
}

/// The value of a Subscription-State header (RFC 6665 §8.2.3).
public enum SubscriptionStateValue: Sendable, Hashable, CustomStringConvertible {
    case active(expires: Int)
    case pending(expires: Int)
    case terminated(SubscriptionTerminationReason)

    public var description: String {
        switch self {
        case .active(let expires): return "active;expires=\(expires)"
        case .pending(let expires): return "pending;expires=\(expires)"
        case .terminated(let reason): return "terminated;reason=\(reason.rawValue)"
        }
    }
}
