import Foundation
import Testing
@testable import Signaling

/// The edge forwarding to a host name through a fake nameserver on 127.0.0.1 (SRV → A), and a 500
/// when the name does not resolve.
@Suite("Edge DNS next hops", .serialized)
struct EdgeDNSIntegrationTests {
    static func inDialogInfo(to uri: String, phone: TestUDPClient, branch: String) -> String {
        sipRequest([
            "INFO \(uri) SIP/2.0",
            "Via: SIP/2.0/UDP 127.0.0.1:\(phone.port);branch=\(branch);rport",
            "From: <sip:alice@example.com>;tag=f1", "To: <sip:bob@example.com>;tag=t1", "Call-ID: dns-\(branch)",
            "CSeq: 2 INFO", "Max-Forwards: 70",
        ])
    }

    @Test func nameserverFromYAMLOrResolvConf() throws {
        let configuration = try EdgeConfigurationFile.apply(yaml: "dns: { nameserver: \"127.0.0.1:5353\", attempts: 2 }\n",
                                                            file: "edge.yaml", over: EdgeConfiguration())
        #expect(configuration.dns.nameserver == "127.0.0.1:5353" && configuration.dns.attempts == 2)
        let nameserver = configuration.dns.resolvedNameserver()
        #expect(nameserver.host == "127.0.0.1" && nameserver.port == 5353)
        #expect(throws: EdgeConfigurationError.self) {
            _ = try EdgeConfigurationFile.apply(yaml: "dns: { nameserver: nowhere }\n", file: "edge.yaml", over: EdgeConfiguration())
        }
        let conf = "# generated\nsearch lan\nnameserver fe80::1%eth0\nnameserver 192.0.2.53\n"
        #expect(EdgeDNSSettings.firstNameserver(in: conf) == "fe80::1")
        #expect(EdgeDNSSettings.firstNameserver(in: "options ndots:1\n") == nil)
    }

    @Test func inDialogRequestReachesTheBoxFoundThroughSRV() async throws {
        let box = try TestUDPClient()
        var zone = FakeDNSZone()
        zone.add("_sip._udp.farm.test", .srv(priority: 10, weight: 1, port: UInt16(box.port), target: DNSName("box1.farm.test")!))
        zone.add("box1.farm.test", .a([127, 0, 0, 1]))
        let dns = try FakeDNSServer(zone: zone)
        defer { dns.stop() }
        let edge = try await startTestEdge { $0.dns.nameserver = "127.0.0.1:\(dns.port)" }
        let phone = try TestUDPClient()
        phone.send(Self.inDialogInfo(to: "sip:bob@farm.test", phone: phone, branch: "z9hG4bKdns1"), toPort: edge.udpPort)
        let forwarded = try #require(receive(box) { $0.hasPrefix("INFO") })
        #expect(forwarded.hasPrefix("INFO sip:bob@farm.test SIP/2.0"))
        box.send(responseText(to: forwarded, status: "200 OK"), toPort: edge.udpPort)
        let answer = try #require(receive(phone) { $0.hasPrefix("SIP/2.0 200") })
        #expect(headerValue(answer, "Call-ID") == "dns-z9hG4bKdns1")
        #expect(dns.asked.first == DNSQuestion(name: DNSName("farm.test")!, type: .naptr))
        #expect(dns.asked.contains(DNSQuestion(name: DNSName("_sip._udp.farm.test")!, type: .srv)))
        await edge.stop()
    }

    @Test func unresolvableNextHopGets500() async throws {
        let dns = try FakeDNSServer(zone: FakeDNSZone())
        defer { dns.stop() }
        let edge = try await startTestEdge { $0.dns.nameserver = "127.0.0.1:\(dns.port)" }
        let phone = try TestUDPClient()
        phone.send(Self.inDialogInfo(to: "sip:bob@nowhere.test", phone: phone, branch: "z9hG4bKdns2"), toPort: edge.udpPort)
        let answer = try #require(receive(phone) { $0.hasPrefix("SIP/2.0 5") || $0.hasPrefix("SIP/2.0 4") })
        // The branch fails like a transport error (503, RFC 3261 §16.9); a proxy never relays a 503
        // upstream but answers 500 instead (§16.7 item 6).
        #expect(answer.hasPrefix("SIP/2.0 500"))
        let (_, metrics) = try adminRequest(edge, "GET", "/metrics")
        #expect(metrics.contains("tandem_sip_dns_failures_total 1"))
        await edge.stop()
    }
}
