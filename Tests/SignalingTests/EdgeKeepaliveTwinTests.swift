import Foundation
import NIOCore
@testable import Signaling
import Testing

/// NAT keepalive through the twin socket, end to end on loopback: a NATed phone (private Contact) registers, the
/// edge pings it from the listener's own port, and the replies come back through the twin.
@Suite("EdgeKeepaliveTwin", .serialized, .timeLimit(.minutes(1)))
struct EdgeKeepaliveTwinTests {
    @Test func pingsLeaveFromTheListenersPortAndTheirRepliesTakeTheTwin() async throws {
        let edge = try await startTestEdge { $0.keepalive.intervalMilliseconds = 600; $0.keepalive.maxPingsLost = 2 }
        let phone = try registeredNATPhone(edge)
        #expect(answerPings(4, phone: phone, edge: edge) == 4)
        // The listener itself still answers what is not a ping reply.
        let probe = try TestUDPClient()
        probe.send(optionsToEdge(probe, edgePort: edge.udpPort), toPort: edge.udpPort)
        #expect(receive(probe) { $0.hasPrefix("SIP/2.0") }?.hasPrefix("SIP/2.0 200") == true)

        let metrics = try await edge.metricsText()
        #expect(value(metrics, "tandem_sip_keepalive_twin_datagrams_total{direction=\"out\"}") >= 4)
        #expect(value(metrics, "tandem_sip_keepalive_twin_datagrams_total{direction=\"in\"}") >= 3)
        #expect(value(metrics, "tandem_sip_keepalive_pings_answered_total") >= 3)
        #expect(value(metrics, "tandem_sip_keepalive_pings_lost_total") == 0)
        #expect(value(metrics, "tandem_sip_keepalive_twin_failures_total") == 0)
        #expect(try await edge.bindings().count == 1)
        await edge.stop()
    }

    /// Every ping arrives from the port the phone registered towards, so a NAT pinhole lets it through.
    @Test func everyPingComesFromTheRegisteredPort() async throws {
        let edge = try await startTestEdge { $0.keepalive.intervalMilliseconds = 400 }
        let phone = try registeredNATPhone(edge)
        #expect(answerPings(3, phone: phone, edge: edge) == 3)
        await edge.stop()
    }

    /// A reply the byte scan declines (a folded header line) still reaches the twin, which hands it to the normal
    /// receive path: it is parsed there, matched as a ping reply, and the binding stays alive. Nothing is lost.
    @Test func aReplyTheScanDeclinesIsPassedOnAndStillCounts() async throws {
        let edge = try await startTestEdge { $0.keepalive.intervalMilliseconds = 500; $0.keepalive.maxPingsLost = 1 }
        let phone = try registeredNATPhone(edge)
        #expect(answerPings(4, phone: phone, edge: edge, extra: ["Subject: kept", "  alive"]) == 4)
        let metrics = try await edge.metricsText()
        #expect(value(metrics, "tandem_sip_keepalive_twin_datagrams_total{direction=\"in\"}") >= 3)
        #expect(value(metrics, "tandem_sip_keepalive_pings_answered_total") >= 3)
        #expect(value(metrics, "tandem_sip_keepalive_pings_lost_total") == 0)
        #expect(try await edge.bindings().count == 1)
        await edge.stop()
    }

    /// With the twin switched off (`keepalive.twin: false`), pings and replies take the listener's own socket and
    /// pipeline, from the same port, and keep the binding alive just as well.
    @Test func withoutTheTwinPingsTakeTheListenersOwnSocket() async throws {
        let edge = try await startTestEdge {
            $0.keepalive.intervalMilliseconds = 500
            $0.keepalive.maxPingsLost = 1
            $0.keepalive.twin = false
        }
        let phone = try registeredNATPhone(edge)
        #expect(answerPings(3, phone: phone, edge: edge) == 3)
        let metrics = try await edge.metricsText()
        #expect(value(metrics, "tandem_sip_keepalive_twin_datagrams_total{direction=\"out\"}") == 0)
        #expect(value(metrics, "tandem_sip_keepalive_twin_datagrams_total{direction=\"in\"}") == 0)
        #expect(value(metrics, "tandem_sip_keepalive_pings_answered_total") >= 2)
        #expect(value(metrics, "tandem_sip_keepalive_pings_lost_total") == 0)
        #expect(try await edge.bindings().count == 1)
        await edge.stop()
    }

    /// A phone on loopback registered through `edge` with a private Contact (so NATed, so pinged).
    func registeredNATPhone(_ edge: EdgeServer) throws -> TestUDPClient {
        let phone = try TestUDPClient()
        phone.send(natRegister(phone), toPort: edge.udpPort)
        _ = try #require(receive(phone) { $0.hasPrefix("SIP/2.0 200") })
        return phone
    }

    /// Answers the next `count` pings with a 200 (plus `extra` header lines), checking that each came from the
    /// edge's listener port; returns how many were answered before the time ran out.
    func answerPings(_ count: Int, phone: TestUDPClient, edge: EdgeServer, extra: [String] = []) -> Int {
        var answered = 0
        let deadline = Date().addingTimeInterval(Double(count) * 1.5 + 1)
        while answered < count, Date() < deadline {
            guard let (bytes, fromPort) = phone.receive(milliseconds: 1000) else { continue }
            let ping = text(bytes)
            guard ping.hasPrefix("OPTIONS ") else { continue }
            #expect(fromPort == edge.udpPort)
            phone.send(responseText(to: ping, status: "200 OK", extra: extra), toPort: edge.udpPort)
            answered += 1
        }
        return answered
    }

    /// A REGISTER from a phone behind NAT: its Contact names a private address.
    func natRegister(_ phone: TestUDPClient) -> String {
        sipRequest([
            "REGISTER sip:example.com SIP/2.0",
            "Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bKtwinreg;rport",
            "From: <sip:carol@example.com>;tag=tw1", "To: <sip:carol@example.com>", "Call-ID: twin-reg-1",
            "CSeq: 1 REGISTER", "Contact: <sip:carol@192.168.1.10:5060>", "Expires: 600", "Max-Forwards: 70",
        ])
    }

    func optionsToEdge(_ client: TestUDPClient, edgePort: Int) -> String {
        sipRequest([
            "OPTIONS sip:127.0.0.1:\(edgePort) SIP/2.0",
            "Via: SIP/2.0/UDP 127.0.0.1:\(client.port);branch=z9hG4bKtwinprobe;rport",
            "From: <sip:probe@example.com>;tag=p1", "To: <sip:127.0.0.1:\(edgePort)>", "Call-ID: twin-probe-1",
            "CSeq: 1 OPTIONS", "Max-Forwards: 70",
        ])
    }

    /// The value of one sample in the Prometheus text (-1 when absent).
    func value(_ metrics: String, _ sample: String) -> Int {
        for line in metrics.split(separator: "\n") where line.hasPrefix(sample + " ") {
            return Int(line.dropFirst(sample.count + 1)) ?? -1
        }
        return -1
    }
}
