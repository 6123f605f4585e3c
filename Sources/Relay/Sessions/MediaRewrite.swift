/// What the SDP layer writes into one `m=` section of the SDP going to the recipient of an offer or answer: the
/// relay's own address and ports in place of the sender's.
public struct MediaRewrite: Hashable, Sendable {
    public var index: Int
    /// The interface the recipient talks to.
    public var interfaceName: String
    /// For `c=`: the interface's advertised address, or the unspecified address when the sender put the call on
    /// hold that way (hold stays visible to the recipient).
    public var address: MediaAddress
    /// For `m=`: the relay's RTP port, 0 when the section is rejected.
    public var rtpPort: UInt16
    /// For `a=rtcp:`: the relay's RTCP port; nil when RTCP rides on the RTP port (write no `a=rtcp:` or the RTP
    /// port, as the SDP layer prefers).
    public var rtcpPort: UInt16?
    /// Whether to write `a=rtcp-mux`.
    public var rtcpMux: Bool
    /// The direction attribute to write (the sender's, passed through).
    public var direction: MediaFlowDirection
    /// The transport protocol string, passed through.
    public var transportProtocol: String
    /// ICE handling chosen for this message.
    public var ice: ICEHandling

    public init(
        index: Int, interfaceName: String, address: MediaAddress, rtpPort: UInt16, rtcpPort: UInt16?,
        rtcpMux: Bool, direction: MediaFlowDirection, transportProtocol: String, ice: ICEHandling
    ) {
        self.index = index
        self.interfaceName = interfaceName
        self.address = address
        self.rtpPort = rtpPort
        self.rtcpPort = rtcpPort
        self.rtcpMux = rtcpMux
        self.direction = direction
        self.transportProtocol = transportProtocol
        self.ice = ice
    }
}

/// The result of an offer or answer: the per-section rewrite for the outgoing SDP and the data plane's work.
public struct OfferAnswerOutcome: Hashable, Sendable {
    public var callID: String
    /// One entry per media section of the message, in the message's order.
    public var media: [MediaRewrite]
    public var actions: [DataPlaneAction]
    /// The monologue the rewritten SDP goes to (the offer's recipient, the answer's offerer), for per-party SDP
    /// state such as `replace: SDP-version`; nil when not known.
    public var recipient: UInt32?

    public init(callID: String, media: [MediaRewrite], actions: [DataPlaneAction], recipient: UInt32? = nil) {
        self.callID = callID
        self.media = media
        self.actions = actions
        self.recipient = recipient
    }
}

/// The result of a delete or clock tick: data plane work and events (calls that ended).
public struct SessionOutcome: Hashable, Sendable {
    public var actions: [DataPlaneAction]
    public var events: [SessionEvent]

    public init(actions: [DataPlaneAction] = [], events: [SessionEvent] = []) {
        self.actions = actions
        self.events = events
    }
}
