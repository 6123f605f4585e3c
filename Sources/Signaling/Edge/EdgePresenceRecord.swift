/// What the presence SQLite file holds, one change at a time. Times are wall-clock milliseconds:
/// the cores run on the monotonic clock, which restarts with the machine, so the glue converts
/// (`EdgePresenceClock`) on the way out and back in.
enum EdgePresenceRecord: Sendable {
    case subscription(Subscription, expiresAtWall: Int64)
    case subscriptionRemoved(SubscriptionID)
    /// Every current publication of one presentity (an empty list deletes them).
    case publications(AddressOfRecord, [(PresencePublication, expiresAtWall: Int64)])
    case message(OfflineMessage)
    case messageRemoved(UInt64)

    /// Later records with the same key replace earlier ones in the writer's buffer.
    var key: EdgePresenceRecordKey {
        switch self {
        case .subscription(let sub, _): return .subscription(sub.id.rawValue)
        case .subscriptionRemoved(let id): return .subscription(id.rawValue)
        case .publications(let aor, _): return .publications(aor.description)
        case .message(let message): return .message(message.id)
        case .messageRemoved(let id): return .message(id)
        }
    }
}

enum EdgePresenceRecordKey: Hashable, Sendable {
    case subscription(UInt64)
    case publications(String)
    case message(UInt64)
}

/// Monotonic ↔ wall clock for persisted expiries: an instant keeps its distance from "now".
struct EdgePresenceClock {
    var monotonic: SIPInstant
    var wallMilliseconds: Int64

    static func now() -> EdgePresenceClock {
        EdgePresenceClock(monotonic: EdgeClock.monotonicNow(), wallMilliseconds: EdgeClock.wallNow().milliseconds)
    }

    func wall(_ instant: SIPInstant) -> Int64 { wallMilliseconds &+ (instant.milliseconds &- monotonic.milliseconds) }

    func monotonic(wall: Int64) -> SIPInstant { SIPInstant(milliseconds: monotonic.milliseconds &+ (wall &- wallMilliseconds)) }
}
