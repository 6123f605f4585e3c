/// One subscription (RFC 6665 dialog) as the notifier keeps it.
public struct Subscription: Sendable {
    public let id: SubscriptionID
    public let package: SIPEventPackage
    /// The Event `id` parameter, echoed in NOTIFYs.
    public let eventID: String?
    public let watcher: AddressOfRecord
    public let presentity: AddressOfRecord
    public let callID: String
    /// The watcher's From tag (the remote tag of this dialog).
    public let watcherTag: String
    /// Our To tag (the local tag).
    public let localTag: String
    /// The watcher's From as written (To of our NOTIFYs, without its tag).
    let watcherURI: String
    /// The presentity URI we answer as (From of our NOTIFYs).
    let presentityURI: String
    /// Where NOTIFYs are addressed (the watcher's Contact) and routed (Record-Route, in order).
    public internal(set) var remoteTarget: String
    public internal(set) var routeSet: [String]
    /// Where NOTIFYs go on the wire: the SUBSCRIBE's source.
    public internal(set) var peer: SIPPeer
    /// The socket the SUBSCRIBE came in on: NOTIFYs leave from it, so they pass the watcher's pinhole.
    public internal(set) var socket: LocalSocketRef?
    public internal(set) var authorization: SubscriptionAuthorization
    public internal(set) var expiresAt: SIPInstant
    /// CSeq of our last NOTIFY.
    public internal(set) var localCSeq: UInt32 = 0
    /// `version` of the last dialog-info document sent (RFC 4235 §4.1: starts at 0).
    public internal(set) var dialogVersion: Int = -1
    var lastNotifyAt: SIPInstant?
    /// States waiting for the rate-limit window to pass (oldest first).
    var queued: [EventContent] = []

    /// Seconds left, never negative (for `active;expires=`).
    func remainingSeconds(at now: SIPInstant) -> Int {
        let ms = expiresAt.milliseconds - now.milliseconds
        return ms <= 0 ? 0 : Int((ms + 999) / 1000)
    }
}

/// Which resource a state belongs to.
struct EventResourceKey: Hashable {
    var presentity: AddressOfRecord
    var package: SIPEventPackage
}

/// How an in-dialog SUBSCRIBE finds its subscription: Call-ID plus both tags (RFC 6665 §4.1.2.1,
/// together with the Event; a dialog may carry one subscription per package/id).
struct SubscriptionDialogKey: Hashable {
    var callID: String
    var watcherTag: String
    var localTag: String
    var package: SIPEventPackage
    var eventID: String?
}
