import Foundation
import Testing
@testable import Signaling

/// The keepalive fast paths: pings rendered from a byte template, replies matched from raw bytes
/// before any parse, and everything the scan declines left to the normal (parsed) path.
@Suite struct KeepaliveFastPathTests {
    typealias F = RegistrarFixture

    let builder = KeepalivePingBuilder(prefix: "kt", fromURI: "sip:keepalive@198.51.100.1:5060")

    func render(_ id: UInt64, contact: String = "sip:u0@192.168.0.10:5060") -> [UInt8] {
        builder.template(transport: .udp, sentBy: "198.51.100.1:5062").render(pingID: id, contact: Array(contact.utf8))
    }

    func scan(_ text: String) -> UInt64? { scan(Array(text.utf8)) }

    func scan(_ bytes: [UInt8]) -> UInt64? { bytes.withUnsafeBytes { builder.pingID(inReply: $0) } }

    /// A reply as a phone writes it (§8.2.6 copies Via, From, To, Call-ID, CSeq).
    func reply(_ id: UInt64, status: String = "200 OK", callID: String? = nil, cseq: String = "1 OPTIONS",
               branch: String? = nil) -> String
    {
        "SIP/2.0 \(status)\r\n"
            + "Via: SIP/2.0/UDP 198.51.100.1:5062;branch=\(branch ?? builder.branch(id));rport=5062;received=198.51.100.1\r\n"
            + "From: <sip:keepalive@198.51.100.1:5060>;tag=kt\r\nTo: <sip:u0@192.168.0.10:5060>;tag=ph1\r\n"
            + "Call-ID: \(callID ?? builder.callID(id))\r\nCSeq: \(cseq)\r\nContent-Length: 0\r\n\r\n"
    }

    // MARK: Template

    @Test func templateRendersAWellFormedOptions() throws {
        for id: UInt64 in [1, 0xABCDEF, UInt64.max] {
            let message = try SIPMessage.parse(render(id))
            #expect(message.method == .options)
            #expect(message.requestURIText == "sip:u0@192.168.0.10:5060")
            #expect(try message.callID == builder.callID(id))
            #expect(try message.topVia?.branch == builder.branch(id))
            #expect(try message.topVia?.host.text == "198.51.100.1")
            #expect(try message.topVia?.port == 5062)
            #expect(try message.cseq.method == .options)
            #expect(message.values(.to).first?.contains("sip:u0@192.168.0.10:5060") == true)
            #expect(message.values(.from).first?.contains("tag=kt") == true)
            // The parsed reply matches on the slow path too.
            let response = try SIPMessage.response(to: message, status: 200, reason: "OK")
            #expect(builder.pingID(of: response) == id)
        }
    }

    @Test func idsAreFixedWidthLowercaseHex() {
        #expect(KeepalivePingTemplate.hex(0) == "0000000000000000")
        #expect(KeepalivePingTemplate.hex(0x1F) == "000000000000001f")
        #expect(KeepalivePingTemplate.hex(UInt64.max) == "ffffffffffffffff")
        #expect(builder.callID(0x2A) == "kt-000000000000002a")
        #expect(render(7) != render(8))
    }

    // MARK: Reply scanner

    @Test func scannerMatchesOurReplies() throws {
        #expect(scan(reply(42)) == 42)
        #expect(scan(reply(UInt64.max, status: "404 Not Found")) == UInt64.max)
        #expect(scan(reply(5, cseq: "1\tOPTIONS")) == 5)
        // A reply serialised by our own stack from the rendered ping.
        let ping = try SIPMessage.parse(render(99))
        let response = try SIPMessage.response(to: ping, status: 501, reason: "Not Implemented")
        #expect(scan(response.bytes) == 99)
        // Compact and lower-case names, no branch at all.
        let compact = "SIP/2.0 200 OK\r\nv: SIP/2.0/UDP 198.51.100.1:5062;rport\r\ni: \(builder.callID(3))\r\n"
            + "cseq: 2 OPTIONS\r\nl: 0\r\n\r\n"
        #expect(scan(compact) == 3)
    }

    @Test func scannerDeclinesWhatIsNotOurs() {
        #expect(scan(reply(1, callID: "abc@phone")) == nil)  // foreign Call-ID
        #expect(scan(reply(1, callID: "kt-12")) == nil)  // short id
        #expect(scan(reply(1, callID: "kt-000000000000000g")) == nil)  // not hex
        #expect(scan(reply(1, callID: "ktx-0000000000000001")) == nil)  // another prefix
        #expect(scan(reply(1, cseq: "1 REGISTER")) == nil)
        #expect(scan(reply(1, cseq: "OPTIONS")) == nil)
        #expect(scan(reply(1, branch: "z9hG4bKother")) == nil)
        #expect(scan(reply(1, branch: builder.branch(2))) == nil)  // branch of another ping
        let request = String(decoding: render(1), as: UTF8.self)
        #expect(scan(request) == nil)  // the ping itself is a request
    }

    @Test func scannerDeclinesMalformedBytes() {
        let good = reply(9)
        #expect(scan("") == nil)
        #expect(scan("SIP/2.0") == nil)
        #expect(scan("SIP/2.0 2x0 OK\r\n\r\n") == nil)
        #expect(scan(String(good.dropLast(2))) == nil)  // no end of headers
        #expect(scan(String(good.prefix(40))) == nil)  // truncated
        #expect(scan(good.replacingOccurrences(of: "\r\n", with: "\n")) == nil)  // bare LF
        #expect(scan(good.replacingOccurrences(of: "CSeq: 1 OPTIONS", with: "CSeq: 1\r\n OPTIONS")) == nil)  // folded
        #expect(scan(good.replacingOccurrences(of: "Content-Length: 0\r\n", with: "Call-ID: other\r\n")) == nil)  // two
        #expect(scan(good.replacingOccurrences(of: "Call-ID", with: "Call-ID-X")) == nil)  // no Call-ID
        #expect(scan(good.replacingOccurrences(of: "Via: SIP/2.0/UDP 198.51.100.1:5062;", with: "X: ")) == nil)  // no Via
        for cut in stride(from: 0, to: good.utf8.count, by: 7) {
            #expect(scan(Array(good.utf8.prefix(cut))) == nil)
        }
    }

    // MARK: Scheduler

    func scheduler() -> KeepaliveScheduler {
        var config = KeepaliveConfiguration()
        config.viaSentBy = { _ in "198.51.100.1:5062" }
        var s = KeepaliveScheduler(configuration: config, start: F.t0, callIDPrefix: "kt")
        s.apply([.saved(KeepaliveSchedulerTests.natBinding(0), created: true)])
        return s
    }

    func sentPing(_ actions: [KeepaliveAction]) -> SIPMessage? {
        for case .sendPing(let bytes, _, _, _) in actions { return try? SIPMessage.parse(bytes) }
        return nil
    }

    @Test func schedulerFastPathKeepsRTTAndSemantics() throws {
        var s = scheduler()
        let key = KeepaliveSchedulerTests.natBinding(0).key
        let ping = try #require(sentPing(s.tick(now: F.t0)))
        let response = try SIPMessage.response(to: ping, status: 486, reason: "Busy Here")
        let matched = response.bytes.withUnsafeBytes { s.handleReply($0, now: F.t0.adding(milliseconds: 13)) }
        #expect(matched)
        #expect(s.status(of: key)?.roundTripMilliseconds == 13)
        #expect(s.status(of: key)?.lostInARow == 0)
        #expect(s.counters.pingsAnswered == 1)
        // A duplicate is still ours (dropped) but not counted again.
        let again = response.bytes.withUnsafeBytes { s.handleReply($0, now: F.t0.adding(milliseconds: 20)) }
        #expect(again && s.counters.pingsAnswered == 1)
        // Not ours: left to the normal path.
        let foreign = try SIPMessage.response(to: F.register(callID: "x"), status: 200, reason: "OK")
        let declined = foreign.bytes.withUnsafeBytes { s.handleReply($0, now: F.t0) }
        #expect(!declined)
    }

    @Test func replyTheScanDeclinesStillMatchesOnTheNormalPath() throws {
        var s = scheduler()
        let key = KeepaliveSchedulerTests.natBinding(0).key
        let ping = try #require(sentPing(s.tick(now: F.t0)))
        let callID = try ping.callID
        // Legal but unusual: a folded CSeq. The scan declines, the parser copes.
        let text = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 198.51.100.1:5062;branch=\(try #require(try ping.topVia?.branch))\r\n"
            + "From: <sip:keepalive@x>;tag=kt\r\nTo: <sip:u0@y>\r\nCall-ID: \(callID)\r\nCSeq: 1\r\n OPTIONS\r\n"
            + "Content-Length: 0\r\n\r\n"
        let bytes = Array(text.utf8)
        let fast = bytes.withUnsafeBytes { s.handleReply($0, now: F.t0) }
        #expect(!fast)
        let parsed = try SIPMessage.parse(bytes)
        let slow = s.handleResponse(parsed, now: F.t0.adding(milliseconds: 5))
        #expect(slow)
        #expect(s.status(of: key)?.roundTripMilliseconds == 5)
        // Ten rounds answered on the fast path: nothing lost, nothing removed.
        for round in 1...10 {
            let now = F.t0.adding(seconds: 20 * round)
            let p = try #require(sentPing(s.tick(now: now)))
            let r = try SIPMessage.response(to: p, status: 200, reason: "OK")
            let matched = r.bytes.withUnsafeBytes { s.handleReply($0, now: now.adding(milliseconds: 1)) }
            #expect(matched)
        }
        #expect(s.counters.pingsLost == 0 && s.trackedCount == 1 && s.counters.pingsAnswered == 11)
    }
}
