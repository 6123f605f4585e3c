import Foundation
import Testing
@testable import Signaling

/// The presence services inside a running `EdgeServer` (in process, loopback UDP): the answers a
/// phone gets, NOTIFY outcomes, MESSAGE relay to a registered phone, and that none of it reaches
/// the farm.
@Suite("EdgePresence", .serialized, .timeLimit(.minutes(1)))
struct EdgePresenceTests {
    func request(_ method: String, _ uri: String, from user: String, phone: TestUDPClient, callID: String,
                 extra: [String] = [], body: String = "") -> String
    {
        sipRequest([
            "\(method) \(uri) SIP/2.0",
            "Via: SIP/2.0/UDP 127.0.0.1:\(phone.port);branch=z9hG4bK\(callID)\(UInt32.random(in: 0...UInt32.max));rport",
            "From: <sip:\(user)@example.com>;tag=t\(user)", "To: <\(uri)>", "Call-ID: \(callID)", "CSeq: 1 \(method)",
            "Contact: <sip:\(user)@127.0.0.1:\(phone.port)>", "Max-Forwards: 70",
        ] + extra, body: body)
    }

    func status(_ phone: TestUDPClient) -> String? {
        receive(phone) { $0.hasPrefix("SIP/2.0") && !$0.hasPrefix("SIP/2.0 100") }.map { String($0.prefix(11)) }
    }

    @Test func publishAnswersAndNothingReachesTheFarm() async throws {
        let farm = try TestUDPClient()
        let edge = try await startTestEdge(farm: [farm.port])
        let phone = try TestUDPClient()
        let uri = "sip:bob@example.com"
        let pidf = PresenceFixture.pidf(activity: "busy")
        phone.send(request("PUBLISH", uri, from: "bob", phone: phone, callID: "p1",
                           extra: ["Event: presence", "Expires: 60", "Content-Type: application/pidf+xml"], body: pidf),
                   toPort: edge.udpPort)
        let ok = try #require(receive(phone) { $0.hasPrefix("SIP/2.0") })
        #expect(ok.hasPrefix("SIP/2.0 200"))
        #expect(headerValue(ok, "SIP-ETag") != nil)
        phone.send(request("PUBLISH", uri, from: "bob", phone: phone, callID: "p2",
                           extra: ["Event: presence", "SIP-If-Match: nope", "Expires: 60"]), toPort: edge.udpPort)
        #expect(status(phone) == "SIP/2.0 412")
        phone.send(request("PUBLISH", uri, from: "bob", phone: phone, callID: "p3",
                           extra: ["Event: presence", "Content-Type: application/pidf+xml"],
                           body: "<presence><tuple id='x'><status><basic>open</basic></status></presence>"), toPort: edge.udpPort)
        #expect(status(phone) == "SIP/2.0 400")
        phone.send(request("PUBLISH", uri, from: "bob", phone: phone, callID: "p4",
                           extra: ["Event: presence", "Expires: 5", "Content-Type: application/pidf+xml"], body: pidf),
                   toPort: edge.udpPort)
        let brief = try #require(receive(phone) { $0.hasPrefix("SIP/2.0") })
        #expect(brief.hasPrefix("SIP/2.0 423"))
        #expect(headerValue(brief, "Min-Expires") == "60")
        phone.send(request("MESSAGE", uri, from: "alice", phone: phone, callID: "m1", extra: ["Content-Type: text/plain"],
                           body: String(repeating: "x", count: 5000)), toPort: edge.udpPort)
        #expect(status(phone) == "SIP/2.0 513")
        #expect(farm.receive(milliseconds: 300) == nil, "presence traffic must not reach the farm")
        await edge.stop()
    }

    @Test func notifyAnswered481EndsTheSubscription() async throws {
        let edge = try await startTestEdge()
        let watcher = try TestUDPClient()
        watcher.send(request("SUBSCRIBE", "sip:bob@example.com", from: "alice", phone: watcher, callID: "s1",
                             extra: ["Event: presence", "Expires: 600"]), toPort: edge.udpPort)
        #expect(status(watcher) == "SIP/2.0 200")
        let notify = try #require(receive(watcher) { $0.hasPrefix("NOTIFY") })
        #expect(headerValue(notify, "Subscription-State")?.hasPrefix("active;expires=") == true)
        watcher.send(responseText(to: notify, status: "481 Call/Transaction Does Not Exist", toTag: nil), toPort: edge.udpPort)
        var count = 1
        for _ in 0..<20 {
            count = try await edge.withCore { $0.presence?.table.count ?? -1 }
            if count == 0 { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        #expect(count == 0)
        let metrics = try await edge.metricsText()
        #expect(metrics.contains("tandem_presence_subscribes_total 1"))
        #expect(metrics.contains("tandem_presence_notify_failures_total 1"))
        await edge.stop()
    }

    @Test func messageToARegisteredPhoneIsRelayedOrStoredWhenItIsSilent() async throws {
        let edge = try await startTestEdge { $0.presence.messageRelayTimeoutMilliseconds = 300 }
        let bob = try TestUDPClient()
        bob.send(request("REGISTER", "sip:example.com", from: "bob", phone: bob, callID: "r1", extra: ["Expires: 600"])
            .replacingOccurrences(of: "To: <sip:example.com>", with: "To: <sip:bob@example.com>"), toPort: edge.udpPort)
        #expect(status(bob) == "SIP/2.0 200")
        let alice = try TestUDPClient()
        alice.send(request("MESSAGE", "sip:bob@example.com", from: "alice", phone: alice, callID: "m1",
                           extra: ["Content-Type: text/plain"], body: "ping"), toPort: edge.udpPort)
        let relayed = try #require(receive(bob) { $0.hasPrefix("MESSAGE") })
        #expect(relayed.hasPrefix("MESSAGE sip:bob@127.0.0.1:\(bob.port) SIP/2.0"))
        #expect(headerValue(relayed, "From")?.contains("sip:alice@example.com") == true)
        #expect(headerValues(relayed, "Via").count == 1)
        bob.send(responseText(to: relayed, status: "200 OK"), toPort: edge.udpPort)
        #expect(status(alice) == "SIP/2.0 200")

        // Bob's phone stays silent: stored after the relay timeout (202), then delivered on REGISTER.
        alice.send(request("MESSAGE", "sip:bob@example.com", from: "alice", phone: alice, callID: "m2",
                           extra: ["Content-Type: text/plain"], body: "later"), toPort: edge.udpPort)
        #expect(receive(bob) { $0.hasPrefix("MESSAGE") } != nil)
        #expect(status(alice) == "SIP/2.0 202")
        #expect(try await edge.withCore { $0.presence?.messages.count } == 1)
        await edge.stop()
    }
}
