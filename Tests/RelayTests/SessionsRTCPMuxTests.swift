import Testing
@testable import Relay

@Suite struct SessionsRTCPMuxTests {
    typealias F = SessionsFixtures

    private func run(
        offerMux: Bool, policy: RTCPMuxPolicy, answerMux: Bool
    ) throws -> (table: SessionTable, offer: OfferAnswerOutcome, answer: OfferAnswerOutcome) {
        var table = F.table()
        let offer = try table.offer(
            callID: "mux", fromTag: "A", media: [F.audio("10.1.1.1", 5000, mux: offerMux)],
            options: OfferAnswerOptions(senderInterface: "priv", recipientInterface: "pub", rtcpMux: policy), at: F.at(0))
        let answer = try table.answer(
            callID: "mux", fromTag: "A", toTag: "B", media: [F.audio("192.0.2.20", 6000, mux: answerMux)], at: F.at(0))
        return (table, offer, answer)
    }

    @Test func defaultFollowsClientsWhenBothMux() throws {
        let (table, offer, answer) = try run(offerMux: true, policy: [], answerMux: true)
        #expect(offer.media[0].rtcpMux)
        #expect(offer.media[0].rtcpPort == 30001)  // RFC 5761 fallback port in the offer
        #expect(answer.media[0].rtcpMux)
        #expect(answer.media[0].rtcpPort == nil)
        // Both separate RTCP sockets are closed once mux is settled.
        #expect(Set(F.closed(answer.actions).map(\.port)) == [30001, 40001])
        let rtcp = try #require(F.updated(answer.actions).first { $0.kind == .rtcp })
        #expect(rtcp.a.muxed && rtcp.b.muxed)
        #expect(rtcp.a.local.port == 40000 && rtcp.b.local.port == 30000)
        #expect(rtcp.b.destination == F.endpoint("192.0.2.20", 6000))
        #expect(table.statistics().ports.map(\.used) == [1, 1])
    }

    @Test func defaultPassesThroughWhenAnswererDeclines() throws {
        let (_, offer, answer) = try run(offerMux: true, policy: [], answerMux: false)
        #expect(offer.media[0].rtcpMux)
        #expect(!answer.media[0].rtcpMux)
        #expect(answer.media[0].rtcpPort == 40001)
        #expect(F.closed(answer.actions).isEmpty)
    }

    @Test func offerPolicyOffersMuxToRecipientEvenIfOffererDidNot() throws {
        let (_, offer, answer) = try run(offerMux: false, policy: .offer, answerMux: true)
        #expect(offer.media[0].rtcpMux)
        #expect(offer.media[0].rtcpPort == 30001)
        // Offerer never offered mux: it keeps RTCP on its own port; the relay bridges.
        #expect(!answer.media[0].rtcpMux)
        #expect(answer.media[0].rtcpPort == 40001)
        let rtcp = try #require(F.updated(answer.actions).first { $0.kind == .rtcp })
        #expect(!rtcp.a.muxed && rtcp.b.muxed)
        #expect(rtcp.a.destination == F.endpoint("10.1.1.1", 5001))
    }

    @Test func acceptKeepsOfferersMuxWhateverTheAnswer() throws {
        let (_, offer, answer) = try run(offerMux: true, policy: .accept, answerMux: false)
        #expect(offer.media[0].rtcpMux)
        #expect(answer.media[0].rtcpMux)
        #expect(answer.media[0].rtcpPort == nil)
        // Offerer side was allocated as a single port from the start.
        #expect(F.opened(offer.actions).map(\.port) == [30000, 30001, 40000])
    }

    @Test func demuxBridgesMuxedOffererToNonMuxedRecipient() throws {
        let (_, offer, answer) = try run(offerMux: true, policy: .demux, answerMux: false)
        #expect(!offer.media[0].rtcpMux)
        #expect(offer.media[0].rtcpPort == 30001)
        #expect(answer.media[0].rtcpMux)
        let rtcp = try #require(F.updated(answer.actions).first { $0.kind == .rtcp })
        #expect(rtcp.a.muxed)  // offerer (priv, leg a) sends RTCP on its RTP socket
        #expect(rtcp.a.local.port == 40000)
        #expect(!rtcp.b.muxed)
        #expect(rtcp.b.local.port == 30001)
        #expect(rtcp.b.destination == F.endpoint("192.0.2.20", 6001))
    }

    @Test func rejectRefusesOfferersMux() throws {
        let (_, offer, answer) = try run(offerMux: true, policy: .reject, answerMux: false)
        #expect(!offer.media[0].rtcpMux)
        #expect(!answer.media[0].rtcpMux)
        #expect(answer.media[0].rtcpPort == 40001)
    }

    @Test func requireAdvertisesNoRTCPPort() throws {
        let (_, offer, answer) = try run(offerMux: true, policy: [.offer, .require], answerMux: true)
        #expect(offer.media[0].rtcpMux)
        #expect(offer.media[0].rtcpPort == nil)
        #expect(answer.media[0].rtcpMux)
        #expect(F.opened(offer.actions).count == 2)
    }
}
