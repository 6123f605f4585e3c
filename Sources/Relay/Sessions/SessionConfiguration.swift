/// Relay-wide settings of the session layer, in seconds as rtpengine's command line takes them.
public struct SessionConfiguration: Hashable, Sendable {
    /// The relay interfaces; the first one is the default when an offer names none.
    public var interfaces: [RelayInterface]
    /// `timeout`: a call whose streams that should carry media have all been quiet this long is closed.
    public var timeout: Int64
    /// `silent-timeout`: a call in which one side has sent nothing this long while the other still sends is closed
    /// (hold, inactive, or a side that simply stopped); so is a call where no stream is expected to carry media and
    /// all were quiet this long.
    public var silentTimeout: Int64
    /// `offer-timeout`: the same for calls that were offered but never answered.
    public var offerTimeout: Int64
    /// `final-timeout`: every call is closed this long after it was created; 0 turns it off.
    public var finalTimeout: Int64
    /// `delete-delay`: how long a deleted call stays (queryable, ports reserved, media still relayed). 0 by
    /// default, unlike rtpengine's 30: issue 3 wants freed ports reusable at once unless a delay is asked for
    /// (per `delete` with `delete delay`, or relay-wide with `delete-delay=30` carried over from rtpengine).
    public var deleteDelay: Int64

    public init(
        interfaces: [RelayInterface],
        timeout: Int64 = 60,
        silentTimeout: Int64 = 3600,
        offerTimeout: Int64 = 3600,
        finalTimeout: Int64 = 0,
        deleteDelay: Int64 = 0
    ) {
        self.interfaces = interfaces
        self.timeout = timeout
        self.silentTimeout = silentTimeout
        self.offerTimeout = offerTimeout
        self.finalTimeout = finalTimeout
        self.deleteDelay = deleteDelay
    }
}
