/// One steered call's state, by Call-ID.
struct MediaSteeringCall: Sendable {
    /// Where the SDP answer to the outstanding offer is expected.
    enum Negotiation: Sendable, Hashable {
        /// No offer outstanding.
        case idle
        /// An offer went out in a request (INVITE/UPDATE): the answer comes in a 18x/2xx.
        case answerInResponse
        /// A request without SDP (late offer): the offer comes in the 2xx.
        case offerInResponse
        /// The offer was in the 2xx: the answer comes in the ACK.
        case answerInACK
    }

    /// Decided at the first INVITE by the policy; false = the call is only tracked, never steered.
    var relayed: Bool
    var established = false
    var negotiation: Negotiation = .idle
    var createdAt: SIPInstant
    var lastActivity: SIPInstant
    /// Original SDP → the relay's rewrite, so a retransmitted 200 or ACK reuses it without asking the relay
    /// again (bounded: the last few).
    var rewrites: [(original: [UInt8], rewritten: [UInt8])] = []

    init(relayed: Bool, now: SIPInstant) {
        self.relayed = relayed
        self.createdAt = now
        self.lastActivity = now
    }

    func rewrite(of sdp: [UInt8]) -> [UInt8]? { rewrites.last { $0.original == sdp }?.rewritten }

    mutating func remember(_ sdp: [UInt8], rewritten: [UInt8]) {
        rewrites.append((sdp, rewritten))
        if rewrites.count > 4 { rewrites.removeFirst() }
    }
}
