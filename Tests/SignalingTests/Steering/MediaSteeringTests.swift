import Relay
import Testing
@testable import Signaling

@Suite("MediaSteering")
struct MediaSteeringTests {
    static let offerSDP = "v=0\r\no=a 1 1 IN IP4 10.77.1.2\r\ns=-\r\nc=IN IP4 10.77.1.2\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
    static let answerSDP = "v=0\r\no=b 1 1 IN IP4 10.78.2.2\r\ns=-\r\nc=IN IP4 10.78.2.2\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n"
    static let phone = MediaSteeringParty(isFarm: false, isNATed: true, sourceAddress: "203.0.113.7")
    static let farm = MediaSteeringParty(isFarm: true, isNATed: false, sourceAddress: "10.78.2.2")
    static let t0 = SIPInstant(milliseconds: 1000)

    func request(_ method: String, callID: String = "call-1", cseq: Int = 1, toTag: String? = nil, sdp: String? = nil) -> SIPMessage {
        var lines = [
            "\(method) sip:bob@example.com SIP/2.0", "Via: SIP/2.0/UDP 10.77.1.2:5062;branch=z9hG4bK\(method)\(cseq);rport",
            "From: <sip:alice@example.com>;tag=alice", "To: <sip:bob@example.com>" + (toTag.map { ";tag=\($0)" } ?? ""),
            "Call-ID: \(callID)", "CSeq: \(cseq) \(method == "ACK" ? "ACK" : method)", "Max-Forwards: 70",
        ]
        if sdp != nil { lines.append("Content-Type: application/sdp") }
        return try! SIPMessage.parse(sipRequest(lines, body: sdp ?? ""))
    }

    func response(_ status: String, method: String = "INVITE", callID: String = "call-1", cseq: Int = 1, sdp: String? = nil) -> SIPMessage {
        var lines = [
            "SIP/2.0 \(status)", "Via: SIP/2.0/UDP 10.77.1.2:5062;branch=z9hG4bKINVITE1;rport",
            "From: <sip:alice@example.com>;tag=alice", "To: <sip:bob@example.com>;tag=bob", "Call-ID: \(callID)",
            "CSeq: \(cseq) \(method)",
        ]
        if sdp != nil { lines.append("Content-Type: application/sdp") }
        return try! SIPMessage.parse(sipRequest(lines, body: sdp ?? ""))
    }

    func held(_ decision: MediaSteeringDecision) -> (MediaRelayRequest, UInt64)? {
        if case .hold(let request, let token) = decision { return (request, token) }
        return nil
    }

    /// Inspects and requires a hold (the #require macro cannot wrap a mutating call).
    func hold(_ steering: inout MediaSteering, _ message: SIPMessage, from party: MediaSteeringParty) throws -> (MediaRelayRequest, UInt64) {
        let decision = steering.inspect(message, from: party, now: Self.t0)
        return try #require(held(decision))
    }

    func ok(_ sdp: String) -> MediaRelayOutcome { .reply(["result": .text("ok"), "sdp": .text(sdp)], relay: 0) }

    @Test func offerOnInviteAnswerOnOKDeleteOnBye() throws {
        var steering = MediaSteering(settings: MediaSteeringSettings(policy: .always))
        let (offer, offerToken) = try hold(&steering, request("INVITE", sdp: Self.offerSDP), from: Self.phone)
        #expect(offer.command == .offer)
        #expect(offer.callID == "call-1")
        #expect(offer.fromTag == "alice")
        #expect(offer.toTag == nil)
        #expect(offer.flags == ["SIP-source-address", "symmetric"])
        #expect(offer.replace == ["origin", "session-connection"])
        #expect(offer.receivedFrom?.address == "203.0.113.7")
        #expect(offer.sdp == Array(Self.offerSDP.utf8))
        #expect(steering.complete(token: offerToken, outcome: ok("RELAYED-OFFER"), now: Self.t0) == Array("RELAYED-OFFER".utf8))

        let ringing = steering.inspect(response("180 Ringing"), from: Self.farm, now: Self.t0)
        #expect(held(ringing) == nil)
        let (answer, answerToken) = try hold(&steering, response("200 OK", sdp: Self.answerSDP), from: Self.farm)
        #expect(answer.command == .answer)
        #expect(answer.fromTag == "alice")
        #expect(answer.toTag == "bob")
        #expect(answer.flags == ["trust-address"])
        #expect(answer.receivedFrom == nil)
        #expect(steering.complete(token: answerToken, outcome: ok("RELAYED-ANSWER"), now: Self.t0) == Array("RELAYED-ANSWER".utf8))
        // A retransmitted 200 reuses the rewrite without asking the relay.
        guard case .rewrite(let body) = steering.inspect(response("200 OK", sdp: Self.answerSDP), from: Self.farm, now: Self.t0) else {
            Issue.record("retransmitted 200 should be rewritten from the cache")
            return
        }
        #expect(body == Array("RELAYED-ANSWER".utf8))
        guard case .pass = steering.inspect(request("ACK", cseq: 1, toTag: "bob"), from: Self.phone, now: Self.t0) else {
            Issue.record("ACK without SDP passes")
            return
        }
        guard case .passAndSend(let delete, _) = steering.inspect(request("BYE", cseq: 2, toTag: "bob"), from: Self.phone, now: Self.t0)
        else {
            Issue.record("BYE should delete")
            return
        }
        #expect(delete.command == .delete)
        #expect(delete.callID == "call-1")
        #expect(steering.callCount == 0)
        #expect(steering.counters.callsSteered == 1)
    }

    @Test func earlyMediaAnswerOn183() throws {
        var steering = MediaSteering(settings: MediaSteeringSettings(policy: .always))
        let (_, token) = try hold(&steering, request("INVITE", sdp: Self.offerSDP), from: Self.phone)
        _ = steering.complete(token: token, outcome: ok("O"), now: Self.t0)
        let (answer, _) = try hold(&steering, response("183 Session Progress", sdp: Self.answerSDP), from: Self.farm)
        #expect(answer.command == .answer)
    }

    @Test func lateOfferTakesTheOfferFromThe200AndTheAnswerFromTheACK() throws {
        var steering = MediaSteering(settings: MediaSteeringSettings(policy: .always))
        guard case .pass = steering.inspect(request("INVITE"), from: Self.phone, now: Self.t0) else {
            Issue.record("an INVITE without SDP passes")
            return
        }
        let (offer, offerToken) = try hold(&steering, response("200 OK", sdp: Self.answerSDP), from: Self.farm)
        #expect(offer.command == .offer)
        #expect(offer.fromTag == "bob", "the offer is the callee's SDP")
        #expect(offer.toTag == "alice")
        #expect(offer.flags == ["trust-address"])
        _ = steering.complete(token: offerToken, outcome: ok("O"), now: Self.t0)
        let (answer, _) = try hold(&steering, request("ACK", toTag: "bob", sdp: Self.offerSDP), from: Self.phone)
        #expect(answer.command == .answer)
        #expect(answer.fromTag == "bob")
        #expect(answer.toTag == "alice")
        #expect(answer.flags == ["SIP-source-address", "symmetric"])
    }

    @Test func reInviteAndUpdateAreNewOffers() throws {
        var steering = MediaSteering(settings: MediaSteeringSettings(policy: .always))
        let (_, t1) = try hold(&steering, request("INVITE", sdp: Self.offerSDP), from: Self.phone)
        _ = steering.complete(token: t1, outcome: ok("O"), now: Self.t0)
        let (_, t2) = try hold(&steering, response("200 OK", sdp: Self.answerSDP), from: Self.farm)
        _ = steering.complete(token: t2, outcome: ok("A"), now: Self.t0)
        let onHold = Self.offerSDP.replacingOccurrences(of: "m=audio 4000", with: "m=audio 4002")
        let (reoffer, _) = try hold(&steering, request("INVITE", cseq: 2, toTag: "bob", sdp: onHold), from: Self.phone)
        #expect(reoffer.command == .offer)
        #expect(reoffer.toTag == "bob")
        let update = Self.offerSDP.replacingOccurrences(of: "m=audio 4000", with: "m=audio 4004")
        let (updateOffer, _) = try hold(&steering, request("UPDATE", cseq: 3, toTag: "bob", sdp: update), from: Self.phone)
        #expect(updateOffer.command == .offer)
        let (updateAnswer, _) = try hold(&steering, response("200 OK", method: "UPDATE", cseq: 3, sdp: Self.answerSDP),
                                                                   from: Self.farm)
        #expect(updateAnswer.command == .answer)
    }

    @Test func cancelAndFinalFailureDelete() throws {
        var steering = MediaSteering(settings: MediaSteeringSettings(policy: .always))
        let (_, t1) = try hold(&steering, request("INVITE", callID: "c-cancel", sdp: Self.offerSDP), from: Self.phone)
        _ = steering.complete(token: t1, outcome: ok("O"), now: Self.t0)
        guard case .passAndSend(let delete, _) = steering.inspect(request("CANCEL", callID: "c-cancel"), from: Self.phone, now: Self.t0)
        else {
            Issue.record("CANCEL should delete")
            return
        }
        #expect(delete.command == .delete)

        let (_, t2) = try hold(&steering, request("INVITE", callID: "c-486", sdp: Self.offerSDP), from: Self.phone)
        _ = steering.complete(token: t2, outcome: ok("O"), now: Self.t0)
        // Inbound 503 from a box: the dispatcher may fail over, so only the failure that leaves the edge counts.
        let provisional = steering.noteForwardedResponse(response("180 Ringing", callID: "c-486"), now: Self.t0)
        #expect(provisional == nil)
        let busy = steering.noteForwardedResponse(response("486 Busy Here", callID: "c-486"), now: Self.t0)
        let final = try #require(busy)
        #expect(final.0.command == .delete)
        #expect(final.0.callID == "c-486")
        #expect(steering.callCount == 0)
    }

    @Test func unansweredAndSilentCallsTimeOut() throws {
        var settings = MediaSteeringSettings(policy: .always)
        settings.setupTimeoutMilliseconds = 10_000
        settings.idleTimeoutMilliseconds = 60_000
        var steering = MediaSteering(settings: settings)
        _ = steering.inspect(request("INVITE", callID: "never-answered", sdp: Self.offerSDP), from: Self.phone, now: Self.t0)
        _ = steering.inspect(request("INVITE", callID: "established", sdp: Self.offerSDP), from: Self.phone, now: Self.t0)
        _ = steering.inspect(response("200 OK", callID: "established"), from: Self.farm, now: Self.t0)
        let early = steering.expire(now: Self.t0 + 11_000)
        #expect(early.map(\.0.callID) == ["never-answered"])
        #expect(steering.expire(now: Self.t0 + 30_000).isEmpty)
        let late = steering.expire(now: Self.t0 + 61_000)
        #expect(late.map(\.0.callID) == ["established"])
        #expect(steering.counters.dialogTimeouts == 2)
    }

    @Test func policiesChooseWhichCallsAreRelayed() {
        var nat = MediaSteering(settings: MediaSteeringSettings(policy: .nat))
        let publicPhone = MediaSteeringParty(isFarm: false, isNATed: false, sourceAddress: "198.51.100.1")
        guard case .pass = nat.inspect(request("INVITE", callID: "pub", sdp: Self.offerSDP), from: publicPhone, now: Self.t0) else {
            Issue.record("nat policy: a public phone's call is not relayed")
            return
        }
        #expect((try? hold(&nat, request("INVITE", callID: "natted", sdp: Self.offerSDP), from: Self.phone)) != nil)
        var toNATedPhone = Self.farm
        toNATedPhone.calleeIsNATed = true
        #expect((try? hold(&nat, request("INVITE", callID: "farm-nat", sdp: Self.answerSDP), from: toNATedPhone)) != nil)
        guard case .pass = nat.inspect(request("INVITE", callID: "farm-pub", sdp: Self.answerSDP), from: Self.farm, now: Self.t0) else {
            Issue.record("nat policy: farm call to a public phone is not relayed")
            return
        }
        var never = MediaSteering(settings: MediaSteeringSettings(policy: .never))
        guard case .pass = never.inspect(request("INVITE", sdp: Self.offerSDP), from: Self.phone, now: Self.t0) else {
            Issue.record("never")
            return
        }
        // A call that is not relayed sends no answer and no delete either.
        guard case .pass = never.inspect(response("200 OK", sdp: Self.answerSDP), from: Self.farm, now: Self.t0),
              case .pass = never.inspect(request("BYE", cseq: 2, toTag: "bob"), from: Self.phone, now: Self.t0)
        else {
            Issue.record("an unrelayed call must not reach the relay")
            return
        }
    }

    @Test func aFailedFirstOfferLeavesTheCallUnsteered() throws {
        var steering = MediaSteering(settings: MediaSteeringSettings(policy: .always))
        let (_, token) = try hold(&steering, request("INVITE", sdp: Self.offerSDP), from: Self.phone)
        #expect(steering.complete(token: token, outcome: .failed(.timedOut), now: Self.t0) == nil)
        #expect(steering.counters.forwardedUnsteered == 1)
        guard case .pass = steering.inspect(response("200 OK", sdp: Self.answerSDP), from: Self.farm, now: Self.t0) else {
            Issue.record("no answer for a call the relay never got")
            return
        }
    }
}
