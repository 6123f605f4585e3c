import Foundation
import Testing
@testable import Relay

/// ng offer/answer keys that used to be parsed and dropped: `label`, `replace: SDP-version`,
/// `transport protocol` (on the handler, no sockets).
@Suite struct NGOfferAnswerKeysTests {
    final class Session {
        let handler = ControlHandlerTests.handler()
        var cookie = 0
        var now = ControlHandlerTests.now

        func request(_ dictionary: NGDictionary) throws -> NGDictionary {
            cookie += 1
            now = now.adding(seconds: 1)
            let bytes = NGMessage(cookie: Array("k\(cookie)".utf8), encoding: .bencode, dictionary: dictionary).encoded()
            let exchange = handler.handle(bytes, at: now)
            return try NGMessage(decoding: exchange.reply ?? []).dictionary
        }

        func offer(_ sdp: String, fromTag: String = "caller", toTag: String? = nil,
                   extra: NGDictionary = [:]) throws -> NGDictionary {
            var dictionary: NGDictionary = ["command": .text("offer"), "call-id": .text("keys"),
                                            "from-tag": .text(fromTag), "sdp": .text(sdp)]
            if let toTag { dictionary.append("to-tag", .text(toTag)) }
            dictionary.append(contentsOf: extra)
            return try request(dictionary)
        }

        func answer(_ sdp: String, extra: NGDictionary = [:]) throws -> NGDictionary {
            var dictionary: NGDictionary = ["command": .text("answer"), "call-id": .text("keys"),
                                            "from-tag": .text("caller"), "to-tag": .text("callee"), "sdp": .text(sdp)]
            dictionary.append(contentsOf: extra)
            return try request(dictionary)
        }
    }

    static func sdp(version: Int = 1, port: Int = 4000, proto: String = "RTP/AVP", extra: String = "") -> String {
        "v=0\r\no=- 1545997027 \(version) IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
            + "m=audio \(port) \(proto) 0\r\na=rtpmap:0 PCMU/8000\r\n\(extra)a=sendrecv\r\n"
    }

    static func originVersion(_ reply: NGDictionary) -> String? {
        let text = RelaySDP.text(reply)
        guard let line = text.split(separator: "\r\n").first(where: { $0.hasPrefix("o=") }) else { return nil }
        let fields = line.split(separator: " ")
        return fields.count > 2 ? String(fields[2]) : nil
    }

    // MARK: label

    @Test func labelIsStoredPerPartyAndReportedByQuery() throws {
        let session = Session()
        #expect(try session.offer(Self.sdp(), extra: ["label": .text("caller-leg")])["result"]?.stringValue == "ok")
        #expect(try session.answer(Self.sdp(port: 5000), extra: ["from-label": .text("callee-leg")])["result"]?
            .stringValue == "ok")
        var query = try session.request(["command": .text("query"), "call-id": .text("keys")])
        #expect(query.value("tags", "caller", "label")?.stringValue == "caller-leg")
        #expect(query.value("tags", "callee", "label")?.stringValue == "callee-leg")
        // A re-offer without a label keeps it; one with a label replaces it (rtp-flags spelling too).
        _ = try session.offer(Self.sdp(version: 2), toTag: "callee")
        query = try session.request(["command": .text("query"), "call-id": .text("keys")])
        #expect(query.value("tags", "caller", "label")?.stringValue == "caller-leg")
        _ = try session.offer(Self.sdp(version: 3), toTag: "callee", extra: ["rtpp-flags": .text("label=renamed")])
        query = try session.request(["command": .text("query"), "call-id": .text("keys")])
        #expect(query.value("tags", "caller", "label")?.stringValue == "renamed")
        #expect(query.value("tags", "callee", "label")?.stringValue == "callee-leg")
        // The delete reply (written by the direct bencode writer) carries it too.
        let deleted = try session.request(["command": .text("delete"), "call-id": .text("keys")])
        #expect(deleted.value("tags", "caller", "label")?.stringValue == "renamed")
    }

    @Test func partyWithoutLabelReportsNone() throws {
        let session = Session()
        _ = try session.offer(Self.sdp())
        let query = try session.request(["command": .text("query"), "call-id": .text("keys")])
        #expect(query.value("tags", "caller")?.dictValue != nil)
        #expect(query.value("tags", "caller", "label") == nil)
    }

    // MARK: replace: SDP-version

    @Test func sdpVersionOnlyGoesUpWhenTheSentBodyChanges() throws {
        let session = Session()
        let replace: NGDictionary = ["replace": .list([.text("SDP version")])]
        // The first SDP keeps the sender's version.
        #expect(Self.originVersion(try session.offer(Self.sdp(version: 1), extra: replace)) == "1")
        // Same body, sender's version unchanged or bumped: the version sent stays.
        #expect(Self.originVersion(try session.offer(Self.sdp(version: 1), extra: replace)) == "1")
        #expect(Self.originVersion(try session.offer(Self.sdp(version: 7), extra: replace)) == "1")
        // A changed body (a new attribute) goes up by one, from what was sent, not from the sender's number.
        let changed = Self.sdp(version: 1, extra: "a=ptime:20\r\n")
        #expect(Self.originVersion(try session.offer(changed, extra: replace)) == "2")
        #expect(Self.originVersion(try session.offer(changed, extra: replace)) == "2")
        // force-increment-sdp-ver with SDP-version: up every time.
        let forced: NGDictionary = ["replace": .list([.text("SDP-version"), .text("force-increment-sdp-ver")])]
        #expect(Self.originVersion(try session.offer(changed, extra: forced)) == "3")
        // Without the flag the sender's version passes through unchanged.
        #expect(Self.originVersion(try session.offer(Self.sdp(version: 9), extra: [:])) == "9")
    }

    @Test func sdpVersionIsKeptPerReceivingParty() throws {
        let session = Session()
        let replace: NGDictionary = ["replace": .list([.text("SDP-version")])]
        #expect(Self.originVersion(try session.offer(Self.sdp(version: 5), extra: replace)) == "5")
        // The answer goes to the caller: its own first SDP, so the callee's version is kept.
        #expect(Self.originVersion(try session.answer(Self.sdp(version: 40, port: 5000), extra: replace)) == "40")
        // A hold re-offer from the caller changes the body sent to the callee only.
        let hold = Self.sdp(version: 6).replacingOccurrences(of: "a=sendrecv", with: "a=sendonly")
        #expect(Self.originVersion(try session.offer(hold, toTag: "callee", extra: replace)) == "6")
        #expect(Self.originVersion(try session.answer(Self.sdp(version: 41, port: 5000), extra: replace)) == "40")
    }

    // MARK: transport protocol

    @Test func plainProfilesAreRewritten() throws {
        let session = Session()
        let toAVPF = try session.offer(Self.sdp(), extra: ["transport protocol": .text("RTP/AVPF")])
        #expect(toAVPF["result"]?.stringValue == "ok")
        #expect(RelaySDP.text(toAVPF).contains(" RTP/AVPF 0\r\n"))
        // The callee answers in the profile it was offered; the caller offered RTP/AVP and gets RTP/AVP back
        // (rtpengine's default: the answer uses the originally offered profile).
        let back = try session.answer(Self.sdp(port: 5000, proto: "RTP/AVPF"))
        #expect(back["result"]?.stringValue == "ok")
        #expect(RelaySDP.text(back).contains(" RTP/AVP 0\r\n") && !RelaySDP.text(back).contains("AVPF"))
        let named = try session.answer(Self.sdp(port: 5000, proto: "RTP/AVPF"),
                                       extra: ["transport-protocol": .text("RTP/AVP")])
        #expect(RelaySDP.text(named).contains(" RTP/AVP 0\r\n"))
        // query: the callee's side speaks RTP/AVPF, the caller's RTP/AVP.
        let query = try session.request(["command": .text("query"), "call-id": .text("keys")])
        func proto(_ tag: String) -> String? {
            query.value("tags", tag)?.dictValue?["medias"]?.listValue?.first?.dictValue?["protocol"]?.stringValue
        }
        #expect(proto("caller") == "RTP/AVP" && proto("callee") == "RTP/AVPF")
        // `accept` passes the answer's protocol through.
        let accepted = try session.answer(Self.sdp(port: 5000, proto: "RTP/AVPF"),
                                          extra: ["transport-protocol": .text("accept")])
        #expect(RelaySDP.text(accepted).contains(" RTP/AVPF 0\r\n"))
    }

    @Test func srtpOrDTLSIsRefusedWithAReason() throws {
        let session = Session()
        for name in ["RTP/SAVP", "RTP/SAVPF", "UDP/TLS/RTP/SAVPF"] {
            let reply = try session.offer(Self.sdp(), extra: ["transport-protocol": .text(name)])
            #expect(reply["result"]?.stringValue == "error")
            #expect(reply["error-reason"]?.stringValue?.contains("needs SRTP") == true, "\(name): \(reply)")
        }
        let fromSRTP = try session.offer(Self.sdp(proto: "RTP/SAVP"), extra: ["transport-protocol": .text("RTP/AVP")])
        #expect(fromSRTP["result"]?.stringValue == "error")
        #expect(fromSRTP["error-reason"]?.stringValue
            == "Transport protocol change from RTP/SAVP to RTP/AVP needs SRTP, which this relay does not implement")
        let unknown = try session.offer(Self.sdp(), extra: ["transport-protocol": .text("TCP/MSRP")])
        #expect(unknown["error-reason"]?.stringValue == "Unsupported transport protocol 'TCP/MSRP'")
        // Nothing was allocated for the refused offers.
        #expect((try session.request(["command": .text("list")])["calls"]?.listValue ?? []).isEmpty)
        #expect(session.handler.executor.opened == 0)
    }
}
