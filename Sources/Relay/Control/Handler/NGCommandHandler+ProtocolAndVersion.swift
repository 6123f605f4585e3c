extension NGCommandHandler {
    /// ng `transport protocol`, checked before anything is allocated. Tandem relays RTP without touching its
    /// payload, so it can only rename between the plain profiles (`RTP/AVP` ↔ `RTP/AVPF`: the same packets, AVPF
    /// only allows earlier RTCP feedback). Anything that needs SRTP or DTLS-SRTP on one side (asked for, or offered
    /// by the sender) is refused with a reason instead of being silently ignored, so the proxy's script sees it.
    /// `accept` (answers) passes the answer's protocol through, which Tandem does anyway.
    ///
    /// Returns the error reason, or nil when the request can go ahead.
    static func transportProtocolProblem(_ requested: NGTransportProtocol?, in sdp: SDPSessionDescription) -> String? {
        guard let requested else { return nil }
        switch requested {
        case .accept:
            return nil
        case .rtpAVP, .rtpAVPF:
            for section in sdp.media {
                guard let m = section.mediaDescription, !m.isRejected else { continue }
                let offered = m.transportProtocolString
                if offered.contains("SAVP") {
                    return "Transport protocol change from \(offered) to \(requested.sdpName ?? "") needs SRTP, "
                        + "which this relay does not implement"
                }
            }
            return nil
        case .rtpSAVP, .rtpSAVPF, .udpTLSRTPSAVP, .udpTLSRTPSAVPF:
            return "Transport protocol \(requested.sdpName ?? "") needs SRTP/DTLS, which this relay does not implement"
        case .other(let name):
            return "Unsupported transport protocol '\(name)'"
        }
    }

    /// Writes each section's profile into its `m=` line, for sections that carry plain RTP (RTP/AVP or RTP/AVPF;
    /// others, e.g. T.38 over `udptl`, keep theirs). The profile is the one asked for when the message names a
    /// plain one, else the one the session layer has for the receiving side (`MediaRewrite.transportProtocol`):
    /// in an offer, what `transport protocol` chose for the recipient earlier or the offered one; in an answer,
    /// what the offerer offered — rtpengine's default, so an offer changed to RTP/AVPF gets an RTP/AVP answer back
    /// if it offered RTP/AVP. `accept` (answers) passes the answer's profile through. Call after
    /// `transportProtocolProblem` found none.
    static func writeTransportProtocols(_ rewrites: [MediaRewrite], requested: NGTransportProtocol?,
                                        in sdp: inout SDPSessionDescription) {
        guard requested != .accept else { return }
        let asked = requested == .rtpAVP || requested == .rtpAVPF ? requested?.sdpName : nil
        for rewrite in rewrites {
            let position = rewrite.index - 1
            guard sdp.media.indices.contains(position), let m = sdp.media[position].mediaDescription, !m.isRejected
            else { continue }
            let current = m.transportProtocolString
            let target = asked ?? rewrite.transportProtocol
            guard OfferAnswerOptions.isPlainRTP(current), OfferAnswerOptions.isPlainRTP(target), target != current
            else { continue }
            sdp.media[position].setTransportProtocol(Array(target.utf8))
        }
    }

    /// `replace: SDP-version`: the `o=` version of the SDP going to `recipient` stays what it was last time when
    /// the body is the same, and goes up by one when it changed (`force`, i.e. `force-increment-sdp-ver` too: up
    /// by one every time). The first SDP sent to a party keeps the sender's version. See `SentSDPVersion`.
    func controlSDPVersion(_ sdp: inout SDPSessionDescription, callID: String, recipient: UInt32, force: Bool) {
        guard let current = sdp.session.originVersion else { return }
        var blank = sdp
        blank.session.setOriginVersion([UInt8(ascii: "0")])
        let hash = NGCommandHandler.bodyHash(blank.serialized())
        let version: [UInt8]
        if let previous = sessions.sentSDPVersion(callID: callID, monologue: recipient) {
            version = previous.bodyHash == hash && !force
                ? previous.version : SDPBytes.incrementDecimal(previous.version[...])
        } else {
            version = current
        }
        sdp.session.setOriginVersion(version)
        sessions.recordSentSDPVersion(SentSDPVersion(bodyHash: hash, version: version), callID: callID,
                                      monologue: recipient)
    }

    /// FNV-1a (64 bit) of a body: only compared with the previous body sent to the same party, so a collision
    /// (2⁻⁶⁴) would at worst keep a version that should have gone up.
    static func bodyHash(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }
}
