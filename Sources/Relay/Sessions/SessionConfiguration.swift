/// Relay-wide settings of the session layer, in seconds as rtpengine's command line takes them.
public struct SessionConfiguration: Hashable, Sendable {
    /// The relay interfaces; the first one is the default when an offer names none.
    public var interfaces: [RelayInterface]
    /// `timeout`: a call whose streams that should carry media have all been quiet this long is closed.
    public var timeout: Int64
    /// `silent-timeout`: the same for calls where no stream is expected to carry media (hold, inactive).
    public var silentTimeout: Int64
    /// `offer-timeout`: the same for calls that were offered but never answered.
    public var offerTimeout: Int64
    /// `final-timeout`: every call is closed this long after it was created; 0 turns it off.
    public var finalTimeout: Int64
    /// `delete-delay`: how long a deleted call stays (queryable, ports reserved, media still relayed).
    public var deleteDelay: Int64

    public init(
        interfaces: [RelayInterface],
        timeout: Int64 = 60,
        silentTimeout: Int64 = 3600,
        offerTimeout: Int64 = 3600,
        finalTimeout: Int64 = 0,
        deleteDelay: Int64 = 30
    ) {
        self.interfaces = interfaces
        self.timeout = timeout
        self.silentTimeout = silentTimeout
        self.offerTimeout = offerTimeout
        self.finalTimeout = finalTimeout
        self.deleteDelay = deleteDelay
    }
}
