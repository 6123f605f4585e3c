/// One side's view of one SDP media section (rtpengine's `call_media`): what that side advertised, and the relay
/// sockets it sends to. Each media section of a dialogue exists twice, once in each monologue, under one index.
struct MediaSection: Hashable, Sendable {
    let index: Int
    var mediaType: String
    var transportProtocol: String
    var direction: MediaFlowDirection = .sendrecv
    /// Interface this side talks to.
    var interface: InterfaceID
    /// The RTP endpoint this side advertised; nil until this side has sent SDP (the recipient of an initial offer).
    var advertised: MediaEndpoint?
    /// The RTCP port this side advertised (explicit or RTP + 1) when it does not multiplex.
    var advertisedRTCPPort: UInt16?
    /// This side's own SDP carried `a=rtcp-mux`.
    var offeredMux = false
    /// The relay offered rtcp-mux to this side (in the SDP sent to it).
    var muxOfferedToSide = false
    /// rtcp-mux is in effect on this side: its RTCP arrives on the RTP socket.
    var mux = false
    /// The offer/answer exchange that decides mux has completed; later exchanges keep the decision.
    var muxSettled = false
    /// The rtcp-mux policy of the offer this side sent, kept for the answer's decision.
    var muxPolicy: RTCPMuxPolicy = []
    /// Learning flags from the last message this side sent.
    var learning: LearningFlags = []
    var ice: ICEHandling = .passThrough
    /// RTP and RTCP streams; nil while the section is rejected (port 0) and holds no ports.
    var rtp: PacketStream?
    var rtcp: PacketStream?

    init(index: Int, mediaType: String, transportProtocol: String, interface: InterfaceID) {
        self.index = index
        self.mediaType = mediaType
        self.transportProtocol = transportProtocol
        self.interface = interface
    }

    var isActive: Bool { rtp != nil }

    /// Where this side's RTCP should go: its RTP endpoint under mux, else the advertised RTCP port.
    var advertisedRTCP: MediaEndpoint? {
        guard let advertised else { return nil }
        if mux { return advertised }
        guard let advertisedRTCPPort else { return nil }
        return MediaEndpoint(address: advertised.address, port: advertisedRTCPPort)
    }

    /// Both streams that exist, RTP first.
    var streams: [PacketStream] { [rtp, rtcp].compactMap { $0 } }

    /// Calls `body` with each stream that exists, RTP first (`streams` without building an array).
    func forEachStream(_ body: (PacketStream) -> Void) {
        if let rtp { body(rtp) }
        if let rtcp { body(rtcp) }
    }

    /// Sockets this side holds (one under mux, two otherwise).
    var sockets: [LocalSocket] {
        var result: [LocalSocket] = []
        if let rtp { result.append(rtp.local) }
        if let rtcp, !rtcp.muxed { result.append(rtcp.local) }
        return result
    }

    /// Records what this side's SDP says (endpoint, direction, protocol).
    mutating func record(_ description: SessionMediaDescription, address: MediaAddress) {
        mediaType = description.mediaType
        transportProtocol = description.transportProtocol
        direction = description.direction
        advertised = MediaEndpoint(address: address, port: description.port)
        advertisedRTCPPort = description.effectiveRTCPPort
        offeredMux = description.rtcpMux
    }

    /// Switches RTCP onto the RTP socket; the separate RTCP socket disappears (and its port is released on commit).
    mutating func multiplexRTCP() {
        mux = true
        guard let rtpSocket = rtp?.local else { return }
        rtcp?.local = rtpSocket
        rtcp?.muxed = true
    }

    mutating func deactivate() {
        rtp = nil
        rtcp = nil
    }
}
