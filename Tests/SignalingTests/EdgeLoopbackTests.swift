import Foundation
import Testing
@testable import Signaling

@Suite("EdgeLoopback", .serialized, .timeLimit(.minutes(1)))
struct EdgeLoopbackTests {
    @Test func optionsToTheEdgeGets200() async throws {
        let edge = try await startTestEdge()
        let phone = try TestUDPClient()
        phone.send(sipRequest([
            "OPTIONS sip:127.0.0.1:\(edge.udpPort) SIP/2.0",
            "Via: SIP/2.0/UDP 127.0.0.1:\(phone.port);branch=z9hG4bKopt1;rport",
            "From: <sip:mon@example.com>;tag=a1", "To: <sip:127.0.0.1>", "Call-ID: opt-1", "CSeq: 1 OPTIONS",
            "Max-Forwards: 70",
        ]), toPort: edge.udpPort)
        let reply = try #require(receive(phone) { $0.hasPrefix("SIP/2.0") })
        #expect(reply.hasPrefix("SIP/2.0 200"))
        #expect(headerValue(reply, "Call-ID") == "opt-1")
        await edge.stop()
    }

    @Test func localRegisterAnswers200WithContact() async throws {
        let edge = try await startTestEdge()
        let phone = try TestUDPClient()
        phone.send(register(phone: phone, edgePort: edge.udpPort, cseq: 1), toPort: edge.udpPort)
        let reply = try #require(receive(phone) { $0.hasPrefix("SIP/2.0") })
        #expect(reply.hasPrefix("SIP/2.0 200"))
        let contact = try #require(headerValue(reply, "Contact"))
        #expect(contact.contains("sip:alice@127.0.0.1:\(phone.port)"))
        #expect(contact.contains("expires="))
        let (status, body) = try adminRequest(edge, "GET", "/bindings?aor=sip:alice@example.com")
        #expect(status.contains("200"))
        #expect(body.contains("sip:alice@example.com"))
        let (_, counts) = try adminRequest(edge, "GET", "/counts")
        #expect(counts.contains("\"bindings\":1"))
        let (_, metrics) = try adminRequest(edge, "GET", "/metrics")
        #expect(metrics.contains("tandem_sip_transactions_total{method=\"REGISTER\",result=\"2xx\"} 1"))
        #expect(metrics.contains("tandem_sip_bindings 1"))
        let (deleted, _) = try adminRequest(edge, "DELETE",
                                            "/bindings?aor=sip:alice@example.com&contact=sip:alice@127.0.0.1:\(phone.port)")
        #expect(deleted.contains("200"))
        #expect(try await edge.bindings().isEmpty)
        await edge.stop()
    }

    @Test func inviteFromClientGoesToTheFarmAndTheAnswerComesBack() async throws {
        let backend = try TestUDPClient()
        let edge = try await startTestEdge(farm: [backend.port])
        let phone = try TestUDPClient()
        let invite = sipRequest([
            "INVITE sip:bob@example.com SIP/2.0",
            "Via: SIP/2.0/UDP 127.0.0.1:\(phone.port);branch=z9hG4bKinv1;rport",
            "From: <sip:alice@example.com>;tag=f1", "To: <sip:bob@example.com>", "Call-ID: inv-1", "CSeq: 1 INVITE",
            "Contact: <sip:alice@127.0.0.1:\(phone.port)>", "Max-Forwards: 70", "Content-Type: application/sdp",
        ], body: "v=0\r\n")
        phone.send(invite, toPort: edge.udpPort)
        let forwarded = try #require(receive(backend) { $0.hasPrefix("INVITE") })
        let vias = headerValues(forwarded, "Via")
        #expect(vias.count == 2)
        #expect(vias.first?.contains("127.0.0.1:\(edge.udpPort)") == true)
        #expect(headerValue(forwarded, "Record-Route")?.contains("127.0.0.1:\(edge.udpPort)") == true)
        #expect(headerValue(forwarded, "Max-Forwards") == "69")
        backend.send(responseText(to: forwarded, status: "200 OK", extra: ["Contact: <sip:bob@127.0.0.1:\(backend.port)>"]),
                     toPort: edge.udpPort)
        let answer = try #require(receive(phone) { $0.hasPrefix("SIP/2.0 200") })
        #expect(headerValues(answer, "Via").count == 1)
        #expect(headerValue(answer, "Call-ID") == "inv-1")
        await edge.stop()
    }

    @Test func garbageWithEnoughHeadersGets400() async throws {
        let edge = try await startTestEdge()
        let phone = try TestUDPClient()
        phone.send(sipRequest([
            "INVITE sip:bob@example.com SIP/2.0",
            "Via: SIP/2.0/UDP 127.0.0.1:\(phone.port);branch=z9hG4bKbad1",
            "From: <sip:alice@example.com>;tag=f1", "To: <sip:bob@example.com>", "Call-ID: bad-1", "CSeq: 1 INVITE",
            "Max-Forwards: seventy", "Expires: \u{1}\u{2}",
        ]) + "\r\ngarbage", toPort: edge.udpPort)
        let reply = try #require(receive(phone) { $0.hasPrefix("SIP/2.0") })
        #expect(reply.hasPrefix("SIP/2.0 400"))
        await edge.stop()
    }

    @Test func bindingsSurviveARestart() async throws {
        let directory = makeTemporaryDirectory()
        let phone = try TestUDPClient()
        var edge = try await startTestEdge(dataDirectory: directory)
        let port = edge.udpPort
        phone.send(register(phone: phone, edgePort: port, cseq: 1), toPort: port)
        #expect(receive(phone) { $0.hasPrefix("SIP/2.0 200") } != nil)
        await edge.stop()
        edge = try await startTestEdge(dataDirectory: directory)
        let restored = try await edge.bindings()
        #expect(restored.count == 1)
        #expect(restored.first?.key.aor.description == "sip:alice@example.com")
        #expect(restored.first?.source.port == phone.port)
        await edge.stop()
    }

    @Test func configFileErrorsNameLineAndKey() throws {
        let yaml = "farm: [\"sip:127.0.0.1:5080\"]\nregistrar:\n  max_contacts: 3\n  bogus: 1\n"
        #expect(throws: EdgeConfigurationError.self) {
            _ = try EdgeConfigurationFile.apply(yaml: yaml, file: "edge.yaml", over: EdgeConfiguration())
        }
        do {
            _ = try EdgeConfigurationFile.apply(yaml: yaml, file: "edge.yaml", over: EdgeConfiguration())
        } catch {
            #expect(error.line == 4)
            #expect(error.key == "registrar.bogus")
            #expect(error.description.hasPrefix("edge.yaml:4:"))
        }
        let good = try EdgeConfigurationFile.apply(yaml: """
            listeners:
              - { address: 0.0.0.0, port: 5070, transport: tcp, advertised: 203.0.113.5:5080 }
            farm: sip:10.0.0.1:5080
            registrar: { default_mode: passthrough, domains: { example.com: local }, max_contacts: 3 }
            keepalive: { interval: 2.5, enabled: false, max_pings_lost: 2, twin: false }
            admin: ""
            """, file: "edge.yaml", over: EdgeConfiguration())
        #expect(good.listeners == [EdgeListener(host: "0.0.0.0", port: 5070, transport: .tcp, advertisedHost: "203.0.113.5",
                                                advertisedPort: 5080)])
        #expect(good.farm == [SIPPeer(host: "10.0.0.1", port: 5080, transport: .udp)])
        #expect(good.registrar.defaultMode == .passThrough)
        #expect(good.registrar.domains["example.com"] == .local)
        #expect(good.keepalive.intervalMilliseconds == 2500)
        #expect(!good.keepalive.enabled)
        #expect(!good.keepalive.twin)
        #expect(EdgeConfiguration().keepalive.twin)
        #expect(good.admin == nil)
    }

    func register(phone: TestUDPClient, edgePort: Int, cseq: Int) -> String {
        sipRequest([
            "REGISTER sip:example.com SIP/2.0",
            "Via: SIP/2.0/UDP 127.0.0.1:\(phone.port);branch=z9hG4bKreg\(cseq);rport",
            "From: <sip:alice@example.com>;tag=r1", "To: <sip:alice@example.com>", "Call-ID: reg-1", "CSeq: \(cseq) REGISTER",
            "Contact: <sip:alice@127.0.0.1:\(phone.port)>", "Expires: 600", "Max-Forwards: 70",
        ])
    }
}
