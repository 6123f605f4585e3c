import Testing
@testable import Relay

@Suite struct SessionsOfferAnswerTests {
    typealias F = SessionsFixtures

    @Test func offerAllocatesBothSidesAndRewritesTowardRecipient() throws {
        var table = F.table()
        let outcome = try table.offer(
            callID: "c1", fromTag: "A", media: [F.audio("10.1.1.1", 5000)],
            options: OfferAnswerOptions(senderInterface: "priv", recipientInterface: "pub"), at: F.at(100))
        // Recipient (B) faces "pub": advertised address, first pair of the rotation.
        #expect(outcome.media == [MediaRewrite(
            index: 1, interfaceName: "pub", address: F.address("198.51.100.1"), rtpPort: 30000, rtcpPort: 30001,
            rtcpMux: false, direction: .sendrecv, transportProtocol: "RTP/AVP", ice: .passThrough)])
        let opened = F.opened(outcome.actions)
        #expect(opened.map(\.port) == [30000, 30001, 40000, 40001])
        #expect(opened.first?.address == F.address("203.0.113.10"))
        let rules = F.added(outcome.actions)
        #expect(rules.count == 2)
        let rtp = try #require(rules.first { $0.kind == .rtp })
        #expect(rtp.a.local.port == 40000)
        #expect(rtp.a.destination == F.endpoint("10.1.1.1", 5000))
        #expect(rtp.b.local.port == 30000)
        #expect(rtp.b.destination == nil)  // B has not answered yet
        let rtcp = try #require(rules.first { $0.kind == .rtcp })
        #expect(rtcp.a.destination == F.endpoint("10.1.1.1", 5001))
        // Opens precede rule changes.
        if case .openPort = outcome.actions.first {} else { Issue.record("first action should open a port") }
    }

    @Test func answerFillsDestinationsAndRewritesTowardOfferer() throws {
        var table = F.table()
        let (offer, answer) = try F.establishedCall(&table)
        let offerRTP = try #require(F.added(offer.actions).first { $0.kind == .rtp })
        #expect(answer.media.count == 1)
        // The answer goes to A, who faces the default interface (pub) too: A's own pair.
        // Offerer side allocated first (30000/30001), recipient second (30002/30003).
        #expect(offer.media[0].rtpPort == 30002)
        #expect(answer.media[0].rtpPort == 30000)
        #expect(answer.media[0].rtcpPort == 30001)
        #expect(F.opened(answer.actions).isEmpty)
        let updated = F.updated(answer.actions)
        let rtp = try #require(updated.first { $0.kind == .rtp })
        #expect(rtp.id == offerRTP.id)
        #expect(rtp.b.destination == F.endpoint("192.0.2.20", 6000))
        #expect(rtp.a.destination == F.endpoint("10.1.1.1", 5000))
        let rtcp = try #require(updated.first { $0.kind == .rtcp })
        #expect(rtcp.b.destination == F.endpoint("192.0.2.20", 6001))
    }

    @Test func answerToUnknownCallIsRejectedWithRtpengineWording() {
        var table = F.table()
        #expect(throws: SessionError.unknownCallID) {
            try table.answer(callID: "nope", fromTag: "A", toTag: "B", media: [F.audio("1.2.3.4", 4000)], at: F.at(0))
        }
        #expect(SessionError.unknownCallID.reason == "Unknown call-id")
        #expect(SessionError.ranOutOfPorts(interface: "pub").reason == "Ran out of ports")
    }

    @Test func answerWithUnknownFromTagIsInvalidAssociation() throws {
        var table = F.table()
        _ = try table.offer(callID: "c", fromTag: "A", media: [F.audio("10.1.1.1", 5000)], at: F.at(0))
        #expect(throws: SessionError.invalidDialogueAssociation) {
            try table.answer(callID: "c", fromTag: "X", toTag: "B", media: [F.audio("1.2.3.4", 4000)], at: F.at(0))
        }
    }

    @Test func reofferKeepsPortsAndUpdatesEndpoint() throws {
        var table = F.table()
        let (offer, _) = try F.establishedCall(&table)
        let reoffer = try table.offer(
            callID: "call-1", fromTag: "A", toTag: "B", media: [F.audio("10.1.1.99", 7000)], at: F.at(5))
        #expect(reoffer.media[0].rtpPort == offer.media[0].rtpPort)
        #expect(reoffer.media[0].rtcpPort == offer.media[0].rtcpPort)
        #expect(F.opened(reoffer.actions).isEmpty)
        #expect(F.closed(reoffer.actions).isEmpty)
        let rtp = try #require(F.updated(reoffer.actions).first { $0.kind == .rtp })
        #expect(rtp.a.destination == F.endpoint("10.1.1.99", 7000))
        #expect(rtp.b.destination == F.endpoint("192.0.2.20", 6000))
        // Same offer again: nothing changes, no actions.
        let again = try table.offer(
            callID: "call-1", fromTag: "A", toTag: "B", media: [F.audio("10.1.1.99", 7000)], at: F.at(6))
        #expect(again.actions.isEmpty)
        #expect(table.statistics().totalCalls == 1)
    }

    @Test func holdWithSendonlyAndWithZeroAddress() throws {
        var table = F.table()
        _ = try F.establishedCall(&table)
        let sendonly = try table.offer(
            callID: "call-1", fromTag: "A", toTag: "B",
            media: [F.audio("10.1.1.1", 5000, direction: .sendonly)], at: F.at(5))
        #expect(sendonly.media[0].direction == .sendonly)
        #expect(sendonly.media[0].address == F.address("198.51.100.1"))
        let legacy = try table.offer(
            callID: "call-1", fromTag: "A", toTag: "B",
            media: [F.audio("0.0.0.0", 5000, direction: .sendrecv)], at: F.at(6))
        #expect(legacy.media[0].address == F.address("0.0.0.0"))
        let rtp = try #require(F.updated(legacy.actions).first { $0.kind == .rtp })
        #expect(rtp.a.destination == nil)  // never send to 0.0.0.0
        // Unhold.
        let unhold = try table.offer(
            callID: "call-1", fromTag: "A", toTag: "B", media: [F.audio("10.1.1.1", 5000)], at: F.at(7))
        #expect(F.updated(unhold.actions).first { $0.kind == .rtp }?.a.destination == F.endpoint("10.1.1.1", 5000))
    }

    @Test func reofferFromCalleeRewritesTowardCaller() throws {
        var table = F.table()
        let (_, answer) = try F.establishedCall(&table)
        let reoffer = try table.offer(
            callID: "call-1", fromTag: "B", toTag: "A", media: [F.audio("192.0.2.20", 6100)], at: F.at(3))
        #expect(reoffer.media[0].rtpPort == answer.media[0].rtpPort)
        let rtp = try #require(F.updated(reoffer.actions).first { $0.kind == .rtp })
        #expect(rtp.b.destination == F.endpoint("192.0.2.20", 6100))
        let reply = try table.answer(
            callID: "call-1", fromTag: "B", toTag: "A", media: [F.audio("10.1.1.1", 5000)], at: F.at(3))
        #expect(reply.actions.isEmpty)
    }

    @Test func forkedAnswerReplacesTheAnsweringSide() throws {
        var table = F.table()
        _ = try table.offer(callID: "f", fromTag: "A", viaBranch: "z9hG4bK1", media: [F.audio("10.1.1.1", 5000)], at: F.at(0))
        _ = try table.answer(callID: "f", fromTag: "A", toTag: "B1", media: [F.audio("192.0.2.1", 6000)], at: F.at(1))
        let second = try table.answer(callID: "f", fromTag: "A", toTag: "B2", media: [F.audio("192.0.2.2", 6002)], at: F.at(2))
        #expect(F.opened(second.actions).isEmpty)
        #expect(F.updated(second.actions).first { $0.kind == .rtp }?.b.destination == F.endpoint("192.0.2.2", 6002))
        let snapshot = try table.query(callID: "f")
        let callee = try #require(snapshot.monologues.first { $0.tag == "B2" })
        #expect(callee.aliases == ["B1"])
        #expect(callee.viaBranch == "z9hG4bK1")
        #expect(snapshot.monologues.first { $0.tag == "A" }?.inDialogueWith == "B2")
    }

    @Test func multipleInterfacesFollowDirection() throws {
        var table = F.table()
        let offer = try table.offer(
            callID: "m", fromTag: "A", media: [F.audio("10.1.1.1", 5000)],
            options: OfferAnswerOptions(senderInterface: "priv", recipientInterface: "pub"), at: F.at(0))
        let answer = try table.answer(callID: "m", fromTag: "A", toTag: "B", media: [F.audio("192.0.2.20", 6000)], at: F.at(0))
        #expect(offer.media[0].interfaceName == "pub")
        #expect(answer.media[0].interfaceName == "priv")
        #expect(answer.media[0].address == F.address("10.0.0.10"))
        #expect(answer.media[0].rtpPort == 40000)
        #expect(throws: SessionError.unknownInterface("dmz")) {
            try table.offer(callID: "x", fromTag: "A", media: [F.audio("10.1.1.1", 5000)],
                            options: OfferAnswerOptions(senderInterface: "dmz"), at: F.at(0))
        }
    }

    @Test func untrustedAddressUsesReceivedFrom() throws {
        var table = F.table()
        let options = OfferAnswerOptions(trustAddress: false, receivedFrom: F.address("198.18.0.7"))
        let offer = try table.offer(callID: "n", fromTag: "A", media: [F.audio("192.168.1.5", 5000)], options: options, at: F.at(0))
        #expect(F.added(offer.actions).first { $0.kind == .rtp }?.a.destination == F.endpoint("198.18.0.7", 5000))
    }

    @Test func rejectedSectionsHoldNoPortsAndAnswerRejectionFreesThem() throws {
        var table = F.table()
        let video = SessionMediaDescription(index: 2, mediaType: "video", address: F.address("10.1.1.1"), port: 0)
        let offer = try table.offer(callID: "r", fromTag: "A", media: [F.audio("10.1.1.1", 5000), video], at: F.at(0))
        #expect(offer.media[1].rtpPort == 0)
        #expect(F.opened(offer.actions).count == 4)
        let answer = try table.answer(callID: "r", fromTag: "A", toTag: "B",
                                      media: [F.audio("192.0.2.20", 0)], at: F.at(0))
        #expect(answer.media[0].rtpPort == 0)
        #expect(F.closed(answer.actions).count == 4)
        #expect(F.removed(answer.actions).count == 2)
        #expect(table.statistics().ports.allSatisfy { $0.used == 0 })
    }
}
