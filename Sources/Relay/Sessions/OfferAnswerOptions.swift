/// The parts of an ng `offer`/`answer` dictionary that shape the session (everything else is the SDP layer's).
public struct OfferAnswerOptions: Hashable, Sendable {
    /// ng `direction`: the interface facing the sender of this message and the one facing its recipient.
    /// Nil picks the default (first configured) interface. Only the initial offer's choice sticks.
    public var senderInterface: String?
    public var recipientInterface: String?
    /// ng `rtcp-mux`.
    public var rtcpMux: RTCPMuxPolicy
    /// ng `ICE`, echoed in the rewrite.
    public var ice: ICEHandling
    /// `trust address` (the default) uses the SDP's `c=` address for the sender. When false (`SIP source
    /// address`), `receivedFrom` (the address the SIP proxy saw) replaces it, except for hold (`0.0.0.0`).
    public var trustAddress: Bool
    /// ng `received from`: the SIP message's source address.
    public var receivedFrom: MediaAddress?
    /// Endpoint learning for the sender's streams (`asymmetric`, `strict source`, `media handover`, `unidirectional`).
    public var learning: LearningFlags
    /// `port latching`: keep local ports when the remote port changes. The session layer always keeps its ports
    /// on re-offers, so this is recorded for `query` only.
    public var portLatching: Bool

    public init(
        senderInterface: String? = nil,
        recipientInterface: String? = nil,
        rtcpMux: RTCPMuxPolicy = [],
        ice: ICEHandling = .passThrough,
        trustAddress: Bool = true,
        receivedFrom: MediaAddress? = nil,
        learning: LearningFlags = [],
        portLatching: Bool = false
    ) {
        self.senderInterface = senderInterface
        self.recipientInterface = recipientInterface
        self.rtcpMux = rtcpMux
        self.ice = ice
        self.trustAddress = trustAddress
        self.receivedFrom = receivedFrom
        self.learning = learning
        self.portLatching = portLatching
    }

    /// The address to record for the sender: the SDP's, or the SIP source when addresses are not trusted.
    func senderAddress(sdpAddress: MediaAddress) -> MediaAddress {
        guard !trustAddress, let receivedFrom, !sdpAddress.isUnspecified else { return sdpAddress }
        return receivedFrom
    }
}
