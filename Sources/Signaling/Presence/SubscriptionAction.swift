/// What the `SubscriptionTable` asks its driver to do.
public enum SubscriptionAction: Sendable {
    /// Send this response to the SUBSCRIBE (through the server transaction it arrived on).
    case respond(SIPMessage)
    /// Send this in-dialog NOTIFY to `peer` (the SUBSCRIBE's source, i.e. the watcher's flow);
    /// the sender pushes its own Via (as the proxy does for requests it originates) and reports
    /// the final status with `notifyResult`.
    case sendNotify(SIPMessage, to: SIPPeer, subscription: SubscriptionID)
    /// The subscription is gone (timeout, unsubscribe, failed NOTIFY); for logs and counters.
    case expired(SubscriptionID)
}
