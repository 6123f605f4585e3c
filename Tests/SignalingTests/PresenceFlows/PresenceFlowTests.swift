import Foundation
import Testing
import TestSupport
@testable import Signaling

/// The three end-to-end flows of issue 8 against the real `tandem signaling` binary: SIPp plays
/// the phones that publish, call and send messages, Swift sockets play the watchers and the farm
/// (a two-leg B2BUA, as FreeSWITCH is), so each step can be checked as it happens.
@Suite("PresenceFlows", .serialized, .timeLimit(.minutes(1)))
struct PresenceFlowTests {
    /// (1) A watches B; B publishes busy → NOTIFY busy; the publication lapses → NOTIFY closed.
    /// Also: unknown package → 489, too short → 423 + Min-Expires, foreign domain → 403.
    @Test func presencePublishNotifyAndExpiry() throws {
        let flow = try PresenceFlowLab()
        defer { flow.shutdown() }
        let watcher = try flow.socket()
        try watcher.send(watcher.subscribe(watcher: "alice", to: "bob", event: "presence", callID: "flow1-sub"))
        let ok = try #require(try watcher.waitFor(seconds: 3) { $0.hasPrefix("SIP/2.0") }, "no answer to SUBSCRIBE")
        #expect(ok.hasPrefix("SIP/2.0 200"))
        let initial = try #require(try watcher.waitFor(seconds: 3) { $0.hasPrefix("NOTIFY") }, "no initial NOTIFY")
        #expect(headerValue(initial, "Subscription-State")?.hasPrefix("active") == true)
        #expect(sipBody(initial).contains("<basic>closed</basic>"))

        #expect(try flow.sipp("presence-publish.xml", port: 5071, service: "bob"), "PUBLISH not answered 200")
        let busy = try #require(try watcher.waitFor(seconds: 3) { $0.hasPrefix("NOTIFY") }, "no NOTIFY after PUBLISH")
        #expect(sipBody(busy).contains("<rpid:busy/>"))
        #expect(sipBody(busy).contains("<basic>open</basic>"))
        #expect(sipBody(busy).contains("In a meeting"))

        // Published with Expires: 3.
        let closed = try #require(try watcher.waitFor(seconds: 6) { $0.hasPrefix("NOTIFY") }, "no NOTIFY after expiry")
        #expect(sipBody(closed).contains("<basic>closed</basic>"))
        #expect(!sipBody(closed).contains("busy"))

        try watcher.send(watcher.subscribe(watcher: "alice", to: "bob", event: "conference", callID: "flow1-bad"))
        let bad = try watcher.waitFor(seconds: 3) { $0.hasPrefix("SIP/2.0") }
        #expect(bad?.hasPrefix("SIP/2.0 489") == true)
        try watcher.send(watcher.subscribe(watcher: "mallory", to: "bob", event: "presence", callID: "flow1-foreign",
                                           domain: "evil.example.net"))
        let foreign = try watcher.waitFor(seconds: 3) { $0.hasPrefix("SIP/2.0") || $0.hasPrefix("NOTIFY") }
        #expect(foreign?.hasPrefix("SIP/2.0 403") == true, "a watcher of another domain must get no state")
    }

    /// (2) BLF: W watches bob's dialog state; alice calls bob through the edge, the farm (a Swift
    /// B2BUA) calls bob back through the edge; W sees idle → early → confirmed → terminated with
    /// the Call-ID and tags a pickup (Replaces) needs.
    @Test func blfFollowsACallThroughTheFarm() throws {
        let farmPort: UInt16 = 5080
        let flow = try PresenceFlowLab(farmPort: Int(farmPort))
        defer { flow.shutdown() }
        let farm = try flow.socket(port: farmPort)
        farm.autoAnswer = []
        let watcher = try flow.socket()
        try watcher.send(watcher.subscribe(watcher: "carol", to: "bob", event: "dialog", callID: "flow2-sub"))
        #expect(try watcher.waitFor(seconds: 3) { $0.hasPrefix("SIP/2.0") }?.hasPrefix("SIP/2.0 200") == true)
        let idle = try #require(try watcher.waitFor(seconds: 3) { $0.hasPrefix("NOTIFY") })
        #expect(headerValue(idle, "Event") == "dialog")
        #expect(!sipBody(idle).contains("<dialog "))

        #expect(try flow.sipp("presence-register.xml", port: 5072, service: "bob"), "bob did not register")
        let bob = try flow.spawnSipp("blf-callee.xml", port: 5072)
        usleep(300_000)
        let alice = try flow.spawnSipp("blf-caller.xml", port: 5073, service: "alice")

        // The farm: leg 1 in, leg 2 out to bob.
        let leg1 = try #require(try farm.waitFor(seconds: 5) { $0.hasPrefix("INVITE") }, "the call did not reach the farm")
        try farm.send(responseText(to: leg1, status: "100 Trying", toTag: nil))
        let leg2CallID = "leg2-\(UInt32.random(in: 0...UInt32.max))"
        try farm.send(sipRequest([
            "INVITE sip:bob@example.com SIP/2.0",
            "Via: SIP/2.0/UDP \(PresenceFlowLab.host):\(farmPort);branch=z9hG4bKleg2inv;rport",
            "From: <sip:alice@example.com>;tag=fsb", "To: <sip:bob@example.com>", "Call-ID: \(leg2CallID)",
            "CSeq: 1 INVITE", "Contact: <sip:fs@\(PresenceFlowLab.host):\(farmPort)>", "Max-Forwards: 70",
            "Content-Type: application/sdp",
        ], body: "v=0\r\no=- 1 1 IN IP4 10.77.9.1\r\ns=-\r\nc=IN IP4 10.77.9.1\r\nt=0 0\r\nm=audio 41000 RTP/AVP 0\r\n"))
        let ringing = try #require(try farm.waitFor(seconds: 5) { $0.hasPrefix("SIP/2.0 180") }, "bob did not ring")
        try farm.send(responseText(to: leg1, status: "180 Ringing", toTag: "fsa"))

        // (A `trying` NOTIFY for the INVITE may come first; the lamp starts blinking at `early`.)
        let early = try #require(try watcher.waitFor(seconds: 3) {
            $0.hasPrefix("NOTIFY") && sipBody($0).contains("<state>early</state>")
        }, "no early NOTIFY")
        let bobTag = try #require(headerValue(ringing, "To")?.components(separatedBy: "tag=").last)
        #expect(sipBody(early).contains("call-id=\"\(leg2CallID)\""))
        #expect(sipBody(early).contains("local-tag=\"\(bobTag)\" remote-tag=\"fsb\" direction=\"recipient\""))

        let answered = try #require(try farm.waitFor(seconds: 5) { $0.hasPrefix("SIP/2.0 200") }, "bob did not answer")
        try farm.send(ack(for: answered, farmPort: farmPort))
        try farm.send(responseText(to: leg1, status: "200 OK", extra: [
            "Contact: <sip:fs@\(PresenceFlowLab.host):\(farmPort)>", "Content-Type: application/sdp",
        ], toTag: "fsa") .replacingOccurrences(of: "Content-Length: 0\r\n\r\n",
                                                with: "Content-Length: 10\r\n\r\nv=0\r\ns=-\r\n"))
        let confirmed = try #require(try watcher.waitFor(seconds: 3) {
            $0.hasPrefix("NOTIFY") && sipBody($0).contains("<state>confirmed</state>")
        }, "no confirmed NOTIFY")
        #expect(sipBody(confirmed).contains("call-id=\"\(leg2CallID)\""))

        // Nobody watched alice while her call progressed (the edge builds documents only for watched AORs):
        // a watcher arriving now still gets her call as it is.
        let late = try flow.socket()
        try late.send(late.subscribe(watcher: "dave", to: "alice", event: "dialog", callID: "flow2-late"))
        #expect(try late.waitFor(seconds: 3) { $0.hasPrefix("SIP/2.0") }?.hasPrefix("SIP/2.0 200") == true)
        let aliceNow = try #require(try late.waitFor(seconds: 3) { $0.hasPrefix("NOTIFY") }, "no NOTIFY for alice")
        #expect(sipBody(aliceNow).contains("<state>confirmed</state>"), "\(sipBody(aliceNow))")
        #expect(sipBody(aliceNow).contains("direction=\"initiator\""))

        // Alice hangs up after 1.5 s: BYE on leg 1 reaches the farm, which ends leg 2.
        let bye = try #require(try farm.waitFor(seconds: 5) { $0.hasPrefix("BYE") }, "alice's BYE did not reach the farm")
        try farm.send(responseText(to: bye, status: "200 OK", toTag: nil))
        try farm.send(byeLeg2(answered, farmPort: farmPort))
        #expect(try farm.waitFor(seconds: 5) { $0.hasPrefix("SIP/2.0 200") && $0.contains("BYE") } != nil, "bob did not answer BYE")
        let terminated = try #require(try watcher.waitFor(seconds: 3) {
            $0.hasPrefix("NOTIFY") && sipBody($0).contains("<state>terminated</state>")
        }, "no terminated NOTIFY")
        #expect(sipBody(terminated).contains("call-id=\"\(leg2CallID)\""))
        let aliceExit = alice.wait(timeout: .seconds(5))
        #expect(aliceExit?.succeeded == true, "SIPp caller: \(aliceExit?.description ?? "still running")")
        let bobExit = bob.wait(timeout: .seconds(5))
        #expect(bobExit?.succeeded == true, "SIPp callee: \(bobExit?.description ?? "still running")")
        // Nothing of this reached the farm but the calls: no SUBSCRIBE.
        #expect(try farm.waitFor(seconds: 0.3) { $0.hasPrefix("SUBSCRIBE") } == nil)
    }

    /// (3) MESSAGE to an offline user: 202, stored in presence.sqlite, survives SIGKILL + restart,
    /// delivered once (original From, a Date) after the user registers, deleted after the 200.
    @Test func offlineMessageSurvivesARestartAndIsDeliveredOnce() throws {
        let flow = try PresenceFlowLab()
        defer { flow.shutdown() }
        #expect(try flow.sipp("message-send.xml", port: 5074, service: "dave"), "MESSAGE to offline dave not answered 202")
        usleep(600_000)  // the writer flushes every 200 ms
        #expect(try EdgePresenceDatabase(path: flow.presenceFile).counts().messages == 1)

        try flow.restartEdge()
        let dave = try flow.socket()
        dave.autoAnswer = ["MESSAGE"]
        try dave.send(dave.register(user: "dave"))
        #expect(try dave.waitFor(seconds: 3) { $0.hasPrefix("SIP/2.0") }?.hasPrefix("SIP/2.0 200") == true)
        let delivered = try #require(try dave.waitFor(seconds: 3) { $0.hasPrefix("MESSAGE") }, "stored MESSAGE not delivered")
        #expect(headerValue(delivered, "From")?.contains("\"Alice\" <sip:alice@example.com>") == true)
        #expect(headerValue(delivered, "Date")?.hasSuffix("GMT") == true)
        #expect(sipBody(delivered).contains("Lunch at noon?"))
        #expect(headerValue(delivered, "Content-Type") == "text/plain")
        usleep(600_000)
        #expect(try EdgePresenceDatabase(path: flow.presenceFile).counts().messages == 0, "not deleted after the 200")

        // A refresh REGISTER delivers nothing again.
        try dave.send(dave.register(user: "dave", cseq: 2))
        #expect(try dave.waitFor(seconds: 1.5) { $0.hasPrefix("MESSAGE") } == nil, "delivered twice")
        #expect(dave.answered["MESSAGE"] == 1)
    }

    // MARK: Farm helpers

    func ack(for ok: String, farmPort: UInt16) -> String {
        inDialog("ACK", ok, cseq: "1 ACK", farmPort: farmPort)
    }

    func byeLeg2(_ ok: String, farmPort: UInt16) -> String {
        inDialog("BYE", ok, cseq: "2 BYE", farmPort: farmPort)
    }

    /// A request in leg 2's dialog: to bob's Contact, along the edge's Record-Route.
    func inDialog(_ method: String, _ ok: String, cseq: String, farmPort: UInt16) -> String {
        let contact = headerValue(ok, "Contact") ?? "<sip:bob@example.com>"
        let uri = contact.trimmingCharacters(in: CharacterSet(charactersIn: "<>")).components(separatedBy: ">").first ?? contact
        var lines = [
            "\(method) \(uri) SIP/2.0",
            "Via: SIP/2.0/UDP \(PresenceFlowLab.host):\(farmPort);branch=z9hG4bK\(method.lowercased())\(UInt32.random(in: 0...UInt32.max));rport",
            "From: \(headerValue(ok, "From") ?? "")", "To: \(headerValue(ok, "To") ?? "")",
            "Call-ID: \(headerValue(ok, "Call-ID") ?? "")", "CSeq: \(cseq)", "Max-Forwards: 70",
        ]
        for route in headerValues(ok, "Record-Route").reversed() { lines.append("Route: \(route)") }
        return sipRequest(lines)
    }
}
