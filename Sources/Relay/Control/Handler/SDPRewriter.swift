/// Writes the relay into an SDP body going to the other party: the relay's address in `c=` (session and media
/// level), its ports in `m=` and `a=rtcp`, `a=rtcp-mux` as negotiated, and — when asked — ICE attributes removed and
/// the origin address replaced. Every other line keeps its exact bytes (see the SDP codec's minimal rewrites).
///
/// `ICE=force` (rtpengine's meaning): the sender's ICE attributes are stripped and the relay lists itself as the
/// only candidate — per section `a=ice-ufrag`, `a=ice-pwd`, one `host` candidate per component (RTP, and RTCP
/// unless multiplexed) on the relay's address and ports, `a=end-of-candidates`; `a=ice-lite` at session level,
/// because the relay never sends connectivity checks of its own.
public enum SDPRewriter {
    /// What the ng message asked for beyond the per-section rewrites.
    public struct Options: Hashable, Sendable {
        /// `ICE=remove` / `ICE=force`: strip the sender's ICE attributes.
        public var removeICE: Bool
        /// `ICE=force`: the relay's credentials; with them the relay's own candidates are written.
        public var forcedICE: ICECredentialSource.Credentials?
        /// `replace: origin` / `origin-full`: the `o=` address becomes the relay's.
        public var replaceOrigin: Bool
        /// `replace: force-increment-sdp-ver`: bump the `o=` session version.
        public var incrementVersion: Bool

        public init(removeICE: Bool = false, forcedICE: ICECredentialSource.Credentials? = nil,
                    replaceOrigin: Bool = false, incrementVersion: Bool = false) {
            self.removeICE = removeICE
            self.forcedICE = forcedICE
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
            if let credentials = options.forcedICE, rewrite.rtpPort != 0 {
                addCandidates(to: &section, rewrite: rewrite, credentials: credentials)
            }
            sdp.media[position] = section
        }
        if options.removeICE || rewrites.contains(where: { $0.ice != .passThrough }) { sdp.session.removeICE() }
        if options.forcedICE != nil, rewrites.contains(where: { $0.rtpPort != 0 }) {
            sdp.session.appendLine(.attribute("ice-lite", terminator: sdp.session.lineTerminator))
        }
        if options.replaceOrigin, let sessionAddress { sdp.session.setOriginAddress(sdpAddress(sessionAddress)) }
        if options.incrementVersion { sdp.session.incrementOriginVersion() }
    }

    /// The relay as the section's only ICE candidate (RFC 8839 §5.1): host type, priority by RFC 8445 §5.1.2.1
    /// with type preference 126 and local preference 65535.
    static func addCandidates(to section: inout SDPMediaSection, rewrite: MediaRewrite,
                              credentials: ICECredentialSource.Credentials) {
        let terminator = section.lineTerminator
        section.appendLine(.attribute("ice-ufrag", value: Array(credentials.ufrag.utf8), terminator: terminator))
        section.appendLine(.attribute("ice-pwd", value: Array(credentials.password.utf8), terminator: terminator))
        let address = rewrite.address.description
        let foundation = candidateFoundation(address)
        var components: [(Int, UInt16)] = [(1, rewrite.rtpPort)]
        if !rewrite.rtcpMux, let rtcp = rewrite.rtcpPort { components.append((2, rtcp)) }
        for (component, port) in components {
            let priority = (126 << 24) | (65535 << 8) | (256 - component)
            let value = "\(foundation) \(component) UDP \(priority) \(address) \(port) typ host"
            section.appendLine(.attribute("candidate", value: Array(value.utf8), terminator: terminator))
        }
        section.appendLine(.attribute("end-of-candidates", terminator: terminator))
    }

    /// A foundation per relay address (the same for every component and call on that address, as RFC 8445
    /// §5.1.1.3 asks for candidates of one type from one base): FNV-1a of the address, in decimal.
    static func candidateFoundation(_ address: String) -> String {
        var hash: UInt32 = 0x811C_9DC5
        for byte in address.utf8 { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        return String(hash)
    }

    static func sdpAddress(_ address: MediaAddress) -> SDPAddress {
        switch address {
        case .v4: return .ip4(address.description)
        case .v6: return .ip6(address.description)
        }
    }
}
