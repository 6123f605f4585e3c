import NIOCore

/// The presence services' state on the edge loop: the sans-I/O cores (subscriptions, published
/// state, dialog state from proxied calls, offline messages) plus what the glue itself tracks —
/// which of the proxy's originated requests are ours, and MESSAGEs being relayed to bindings.
/// Owned by `EdgeCore` and touched only on its loop, like everything else there.
final class EdgePresence {
    var settings: EdgePresenceSettings
    var table: SubscriptionTable
    var store: PresenceStore
    var dialogs: DialogStateTracker
    var messages: OfflineMessageStore
    var persistence: EdgePresencePersistence?
    /// Our originated requests (NOTIFY, relayed or stored MESSAGE) by their `.application` id.
    var requests: [UInt64: EdgePresenceRequest] = [:]
    private var requestCounter: UInt64 = 0
    var relays: [UInt64: EdgeMessageRelay] = [:]
    private var relayCounter: UInt64 = 0
    var tick: RepeatedTask?
    var counters = EdgePresenceCounters()

    /// Originated-request ids carry this tag in their top bits, so they never collide with
    /// another `.application` user of the proxy.
    static let originTag: UInt64 = 0x5052_0000_0000_0000

    init(settings: EdgePresenceSettings, contact: String) {
        self.settings = settings
        table = SubscriptionTable(settings: settings.subscriptionSettings(contact: contact))
        store = PresenceStore(settings: settings.presenceSettings())
        dialogs = DialogStateTracker()
        dialogs.forceSingleDialog = settings.forceSingleDialog
        messages = OfflineMessageStore(settings: settings.messageSettings())
    }

    /// SIGHUP: limits and policy apply to new requests; live subscriptions keep their terms.
    func apply(_ new: EdgePresenceSettings) {
        let contact = table.settings.contact
        settings = new
        table.settings = new.subscriptionSettings(contact: contact)
        store.settings = new.presenceSettings()
        dialogs.forceSingleDialog = new.forceSingleDialog
        messages.settings = new.messageSettings()
    }

    func nextRequestID() -> UInt64 {
        requestCounter &+= 1
        return Self.originTag | (requestCounter & 0x0000_FFFF_FFFF_FFFF)
    }

    func nextRelayID() -> UInt64 {
        relayCounter &+= 1
        return relayCounter
    }
}

/// What one of our originated requests was for.
enum EdgePresenceRequest: Sendable {
    case notify(SubscriptionID)
    /// A stored MESSAGE delivered after a REGISTER.
    case storedMessage(UInt64)
    /// One branch of a MESSAGE relayed to the bindings of its recipient.
    case relayBranch(UInt64)
}

/// A MESSAGE sent to every binding of its recipient, waiting for the first 2xx. All branches
/// failing, or no 2xx by `deadline`, stores it instead (202).
struct EdgeMessageRelay: Sendable {
    var server: SIPTransactionID
    var request: SIPMessage
    var recipient: AddressOfRecord
    var pending: Int
    var deadline: SIPInstant
    var unixSeconds: Int64
}

/// Counters for `/metrics`.
struct EdgePresenceCounters: Sendable {
    var subscribes = 0
    var notifies = 0
    var notifyFailures = 0
    var publishes = 0
    var messagesRelayed = 0
    var messagesStored = 0
    var messagesDelivered = 0
}
