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
        let phone = try TestUDPClient()
        phone.send(natRegister(phone), toPort: edge.udpPort)
        _ = try #require(receive(phone) { $0.hasPrefix("SIP/2.0 200") })
        for _ in 0..<4 {
            let ping = try #require(receive(phone) { $0.hasPrefix("OPTIONS ") })
            phone.send(responseText(to: ping, status: "200 OK"), toPort: edge.udpPort)
        }
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
        let phone = try TestUDPClient()
        phone.send(natRegister(phone), toPort: edge.udpPort)
        _ = try #require(receive(phone) { $0.hasPrefix("SIP/2.0 200") })
        var pings = 0
        let deadline = Date().addingTimeInterval(5)
        while pings < 3, Date() < deadline {
            guard let (bytes, fromPort) = phone.receive(milliseconds: 1500) else { break }
            let ping = text(bytes)
            guard ping.hasPrefix("OPTIONS ") else { continue }
            #expect(fromPort == edge.udpPort)
            phone.send(responseText(to: ping, status: "200 OK"), toPort: edge.udpPort)
            pings += 1
        }
        #expect(pings == 3)
        await edge.stop()
    }

    /// A reply the byte scan declines (a folded header line) still reaches the twin, which hands it to the normal
    /// receive path: it is parsed there, matched as a ping reply, and the binding stays alive. Nothing is lost.
    @Test func aReplyTheScanDeclinesIsPassedOnAndStillCounts() async throws {
        let edge = try await startTestEdge { $0.keepalive.intervalMilliseconds = 500; $0.keepalive.maxPingsLost = 1 }
        let phone = try TestUDPClient()
        phone.send(natRegister(phone), toPort: edge.udpPort)
        _ = try #require(receive(phone) { $0.hasPrefix("SIP/2.0 200") })
        for _ in 0..<4 {
            let ping = try #require(receive(phone) { $0.hasPrefix("OPTIONS ") })
            let folded = responseText(to: ping, status: "200 OK", extra: ["Subject: kept", "  alive"])
            phone.send(folded, toPort: edge.udpPort)
        }
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
        let phone = try TestUDPClient()
        phone.send(natRegister(phone), toPort: edge.udpPort)
        _ = try #require(receive(phone) { $0.hasPrefix("SIP/2.0 200") })
        for _ in 0..<3 {
            var ping: String?
            let deadline = Date().addingTimeInterval(3)
            while ping == nil, Date() < deadline {
                guard let (bytes, fromPort) = phone.receive(milliseconds: 1000) else { continue }
                guard text(bytes).hasPrefix("OPTIONS ") else { continue }
                #expect(fromPort == edge.udpPort)
                ping = text(bytes)
            }
            phone.send(responseText(to: try #require(ping), status: "200 OK"), toPort: edge.udpPort)
        }
        let metrics = try await edge.metricsText()
        #expect(value(metrics, "tandem_sip_keepalive_twin_datagrams_total{direction=\"out\"}") == 0)
        #expect(value(metrics, "tandem_sip_keepalive_twin_datagrams_total{direction=\"in\"}") == 0)
        #expect(value(metrics, "tandem_sip_keepalive_pings_answered_total") >= 2)
        #expect(value(metrics, "tandem_sip_keepalive_pings_lost_total") == 0)
        #expect(try await edge.bindings().count == 1)
        await edge.stop()
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
