/// Writes the relay into an SDP body going to the other party: the relay's address in `c=` (session and media
/// level), its ports in `m=` and `a=rtcp`, `a=rtcp-mux` as negotiated, and — when asked — ICE attributes removed and
/// the origin address replaced. Every other line keeps its exact bytes (see the SDP codec's minimal rewrites).
public enum SDPRewriter {
    /// What the ng message asked for beyond the per-section rewrites.
    public struct Options: Hashable, Sendable {
        /// `ICE=remove` (and, until the relay has its own candidates, `ICE=force`).
        public var removeICE: Bool
        /// `replace: origin` / `origin-full`: the `o=` address becomes the relay's.
        public var replaceOrigin: Bool
        /// `replace: force-increment-sdp-ver`: bump the `o=` session version.
        public var incrementVersion: Bool

        public init(removeICE: Bool = false, replaceOrigin: Bool = false, incrementVersion: Bool = false) {
            self.removeICE = removeICE
            self.replaceOrigin = replaceOrigin
            self.incrementVersion = incrementVersion
        }
    }

    /// Applies `rewrites` (by media index, 1-based) to `sdp`.
    public static func rewrite(_ sdp: inout SDPSessionDescription, with rewrites: [MediaRewrite], options: Options) {
        // The session-level c= gets the first section's relay address (rtpengine always replaces it); media-level
        // c= lines are written where they exist or where a section's address differs from the session's.
        let sessionAddress = rewrites.first(where: { $0.rtpPort != 0 })?.address ?? rewrites.first?.address
        if let sessionAddress, sdp.session.connection != nil {
            sdp.session.setConnection(sdpAddress(sessionAddress))
        }
        let sessionHasConnection = sdp.session.connection != nil
        for rewrite in rewrites {
            let position = rewrite.index - 1
            guard sdp.media.indices.contains(position) else { continue }
            var section = sdp.media[position]
            section.setPort(Int(rewrite.rtpPort))
            if section.connection != nil || !sessionHasConnection || rewrite.address != sessionAddress {
                section.setConnection(sdpAddress(rewrite.address))
            }
            if rewrite.rtpPort == 0 {
                section.removeRTCP()
            } else if let rtcpPort = rewrite.rtcpPort {
                section.setRTCP(SDPRTCPAttribute(port: Int(rtcpPort)))
            } else {
                section.removeRTCP()
            }
            section.setRTCPMux(rewrite.rtpPort != 0 && rewrite.rtcpMux)
            if options.removeICE || rewrite.ice != .passThrough { section.removeICE() }
            sdp.media[position] = section
        }
        if options.removeICE || rewrites.contains(where: { $0.ice != .passThrough }) { sdp.session.removeICE() }
        if options.replaceOrigin, let sessionAddress { sdp.session.setOriginAddress(sdpAddress(sessionAddress)) }
        if options.incrementVersion { sdp.session.incrementOriginVersion() }
    }

    static func sdpAddress(_ address: MediaAddress) -> SDPAddress {
        switch address {
        case .v4: return .ip4(address.description)
        case .v6: return .ip6(address.description)
        }
    }
}
