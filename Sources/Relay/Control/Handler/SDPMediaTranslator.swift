/// Turns a parsed SDP body into the session layer's view of it: one `SessionMediaDescription` per `m=` line.
///
/// The session layer never sees SDP; this is the one place that decides which SDP facts matter for relaying
/// (address, ports, rtcp-mux, direction, media type, protocol) and how missing ones default.
public enum SDPMediaTranslator {
    /// Why an SDP body cannot be relayed. `reason` is the ng `error-reason`.
    public enum Failure: Error, Hashable, Sendable {
        /// The body does not parse.
        case unparsable
        /// A media section with a port has no usable connection address (neither media nor session `c=`, or
        /// not a numeric IPv4/IPv6 address).
        case incomplete(mediaIndex: Int)

        public var reason: String {
            switch self {
            case .unparsable: return "Failed to parse SDP"
            case .incomplete: return "Incomplete SDP specification"
            }
        }
    }

    /// The media sections of `sdp`, indexed from 1 as in rtpengine's `query`.
    public static func mediaDescriptions(of sdp: SDPSessionDescription) throws(Failure) -> [SessionMediaDescription] {
        var result: [SessionMediaDescription] = []
        result.reserveCapacity(sdp.media.count)
        for (position, section) in sdp.media.enumerated() {
            let index = position + 1
            guard let m = section.mediaDescription else { throw .unparsable }
            let port = UInt16(exactly: m.port) ?? 0
            guard m.port >= 0, m.port <= 65535 else { throw .incomplete(mediaIndex: index) }
            let address: MediaAddress
            if let connection = sdp.connection(forMediaAt: position),
               let parsed = MediaAddress(parsing: connection.address.addressString) {
                address = parsed
            } else if port == 0 {
                address = .v4(0)
            } else {
                throw .incomplete(mediaIndex: index)
            }
            let rtcpPort = section.rtcp.flatMap { UInt16(exactly: $0.port) }
            let direction = MediaFlowDirection(rawValue: sdp.direction(forMediaAt: position).rawValue) ?? .sendrecv
            result.append(SessionMediaDescription(
                index: index, mediaType: m.mediaString, address: address, port: port,
                rtcpPort: rtcpPort == 0 ? nil : rtcpPort, rtcpMux: section.isRTCPMux,
                transportProtocol: m.transportProtocolString, direction: direction))
        }
        return result
    }
}
