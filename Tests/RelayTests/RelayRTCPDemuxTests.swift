import Glibc
import Testing
@testable import Relay

/// `rtcp-mux: demux` end to end: a caller multiplexing RTP and RTCP on one port, a callee with separate RTP and
/// RTCP ports, real packets through ng offer/answer and the data plane, on both engines.
@Suite struct RelayRTCPDemuxTests {
    /// The port of the first `a=rtcp:` attribute in a reply's SDP.
    static func rtcpPort(in reply: NGDictionary) -> UInt16? {
        let sdp = RelaySDP.text(reply)
        guard let range = sdp.range(of: "a=rtcp:") else { return nil }
        return UInt16(sdp[range.upperBound...].prefix { $0.isNumber })
    }

    @Test(arguments: RelayMediaTests.engines) func muxedCallerReachesSeparateRTCPPort(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine)
        let a = try DataPlaneTestClient("127.0.0.1")
        let bRTP = try DataPlaneTestClient("127.0.0.1")
        let bRTCP = try DataPlaneTestClient("127.0.0.1")
        let offer = try relay.offer(callID: "demux", fromTag: "ft", sdp: RelaySDP.audio(port: a.endpoint.port,
                                                                                         extra: "a=rtcp-mux\r\n"),
                                    extra: ["rtcp-mux": .list([.text("demux")])])
        #expect(!RelaySDP.text(offer).contains("a=rtcp-mux"))
        let toRelayB = try #require(RelaySDP.endpoint(in: offer))
        let rtcpPortB = try #require(Self.rtcpPort(in: offer))
        let toRelayBRTCP = try #require(SocketEndpoint(address: "127.0.0.1", port: rtcpPortB))
        let answer = try relay.answer(callID: "demux", fromTag: "ft", toTag: "tt",
                                      sdp: RelaySDP.audio(port: bRTP.endpoint.port,
                                                          extra: "a=rtcp:\(bRTCP.endpoint.port)\r\n"))
        #expect(RelaySDP.text(answer).contains("a=rtcp-mux"))
        let toRelayA = try #require(RelaySDP.endpoint(in: answer))

        // A's RTP and RTCP share one socket; the relay sends them to B's two ports from its two B-side ports.
        a.send(DataPlaneHarness.payload(0, 1), to: toRelayA)
        let rtp = try #require(bRTP.receive())
        #expect(rtp.payload == DataPlaneHarness.payload(0, 1) && rtp.from == toRelayB)
        a.send(DataPlaneRTCPDemuxTests.senderReport(5), to: toRelayA)
        let rtcp = try #require(bRTCP.receive())
        #expect(rtcp.payload == DataPlaneRTCPDemuxTests.senderReport(5) && rtcp.from == toRelayBRTCP)
        #expect(bRTP.staysQuiet(milliseconds: 50))

        // B's RTCP from its own RTCP socket reaches A's single port, from A's relay port.
        bRTCP.send(DataPlaneRTCPDemuxTests.senderReport(6), to: toRelayBRTCP)
        let back = try #require(a.receive())
        #expect(back.payload == DataPlaneRTCPDemuxTests.senderReport(6) && back.from == toRelayA)
        bRTP.send(DataPlaneHarness.payload(0, 2), to: toRelayB)
        let backRTP = try #require(a.receive())
        #expect(backRTP.payload == DataPlaneHarness.payload(0, 2) && backRTP.from == toRelayA)

        // A re-offer that keeps the ports keeps the split.
        _ = try relay.offer(callID: "demux", fromTag: "ft", sdp: RelaySDP.audio(port: a.endpoint.port,
                                                                                 extra: "a=rtcp-mux\r\n"),
                            extra: ["rtcp-mux": .list([.text("demux")])])
        _ = try relay.answer(callID: "demux", fromTag: "ft", toTag: "tt",
                             sdp: RelaySDP.audio(port: bRTP.endpoint.port, extra: "a=rtcp:\(bRTCP.endpoint.port)\r\n"))
        a.send(DataPlaneRTCPDemuxTests.senderReport(7), to: toRelayA)
        let again = try #require(bRTCP.receive())
        #expect(again.payload == DataPlaneRTCPDemuxTests.senderReport(7) && again.from == toRelayBRTCP)
    }
}
