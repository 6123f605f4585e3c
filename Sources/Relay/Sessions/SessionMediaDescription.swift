/// One SDP `m=` section as the session layer needs it, already parsed by the SDP layer: where the side that sent
/// the SDP wants to receive media, and how. The Control layer builds these from the SDP body of an ng `offer` or
/// `answer`; the session layer never sees SDP text.
public struct SessionMediaDescription: Hashable, Sendable {
    /// Position of the `m=` line, starting at 1 as in rtpengine's `query` output. Sections are matched by index
    /// across offer, answer and re-offers (RFC 3264 §8 keeps m= lines in place).
    public var index: Int
    /// Media type from the `m=` line: `audio`, `video`, `image`, ...
    public var mediaType: String
    /// The connection address (`c=`); `0.0.0.0` means hold.
    public var address: MediaAddress
    /// The RTP port; 0 means the section is rejected or disabled.
    public var port: UInt16
    /// An explicit `a=rtcp:` port; nil means RTP port + 1 (RFC 3550 §11).
    public var rtcpPort: UInt16?
    /// Whether `a=rtcp-mux` is present (RFC 5761).
    public var rtcpMux: Bool
    /// The transport protocol string (`RTP/AVP`, `RTP/SAVPF`, `UDP/TLS/RTP/SAVPF`, ...), passed through.
    public var transportProtocol: String
    /// The direction attribute; `sendrecv` when absent.
    public var direction: MediaFlowDirection

    public init(
        index: Int,
        mediaType: String = "audio",
        address: MediaAddress,
        port: UInt16,
        rtcpPort: UInt16? = nil,
        rtcpMux: Bool = false,
        transportProtocol: String = "RTP/AVP",
        direction: MediaFlowDirection = .sendrecv
    ) {
        self.index = index
        self.mediaType = mediaType
        self.address = address
        self.port = port
        self.rtcpPort = rtcpPort
        self.rtcpMux = rtcpMux
        self.transportProtocol = transportProtocol
        self.direction = direction
    }

    /// Port 0: the section exists in the SDP but carries no media.
    public var isRejected: Bool { port == 0 }

    /// Where this side wants RTCP when it is not multiplexed: the explicit port, or RTP + 1.
    /// Nil only when RTP is on 65535 and no explicit port was given (there is no port + 1).
    public var effectiveRTCPPort: UInt16? {
        if let rtcpPort { return rtcpPort }
        let (next, overflow) = port.addingReportingOverflow(1)
        return overflow ? nil : next
    }
}
