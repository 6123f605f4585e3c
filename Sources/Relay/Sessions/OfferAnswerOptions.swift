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
    /// `port latching` (rtpengine: keep the local ports during a re-offer even when the remote port changed).
    /// The session layer always keeps a media section's ports on re-offers, flag or not (a deliberate difference
    /// from rtpengine, whose default re-allocates on a remote port change), so the flag's promise always holds; it
    /// is recorded on the monologue.
    public var portLatching: Bool
    /// ng `label` / `from-label`: a free-form name for the party sending this message, reported by `query`.
    public var label: String?
    /// ng `transport protocol` when it is a plain RTP profile (`RTP/AVP` or `RTP/AVPF`): the profile the
    /// recipient of an offer gets instead of the offered one (SRTP/DTLS changes are refused before this layer).
    public var transportProtocol: String?

    public init(
        senderInterface: String? = nil,
        recipientInterface: String? = nil,
        rtcpMux: RTCPMuxPolicy = [],
        ice: ICEHandling = .passThrough,
        trustAddress: Bool = true,
        receivedFrom: MediaAddress? = nil,
        learning: LearningFlags = [],
        portLatching: Bool = false,
        label: String? = nil,
        transportProtocol: String? = nil
    ) {
        self.senderInterface = senderInterface
        self.recipientInterface = recipientInterface
        self.rtcpMux = rtcpMux
        self.ice = ice
        self.trustAddress = trustAddress
        self.receivedFrom = receivedFrom
        self.learning = learning
        self.portLatching = portLatching
        self.label = label
        self.transportProtocol = transportProtocol
    }

    /// The profile the recipient's side of a section speaks: the asked-for plain profile when the offered one is
    /// plain RTP too (other sections, e.g. `udptl`, keep theirs), else the offered one.
    func recipientProtocol(offered: String) -> String {
        guard let transportProtocol, OfferAnswerOptions.isPlainRTP(offered) else { return offered }
        return transportProtocol
    }

    static func isPlainRTP(_ name: String) -> Bool { name == "RTP/AVP" || name == "RTP/AVPF" }

    /// The address to record for the sender: the SDP's, or the SIP source when addresses are not trusted.
    func senderAddress(sdpAddress: MediaAddress) -> MediaAddress {
        guard !trustAddress, let receivedFrom, !sdpAddress.isUnspecified else { return sdpAddress }
        return receivedFrom
    }
}
