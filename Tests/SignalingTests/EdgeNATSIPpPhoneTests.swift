import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Issue 6's NAT scenario with SIPp on both ends: the phone behind the masquerading home router is SIPp (it
/// registers with a digest answer, then answers the edge's keepalive OPTIONS with `-aa` and takes the call), and
/// the backend is SIPp too (the 401/200 registrar, then the caller). `EdgeNATIntegrationTests` runs the same
/// topology with a Swift phone, which can also fall silent on cue (keepalive off, dead phone).
///
/// phone-ns 10.77.1.2:5062 ── [router: masquerade, UDP conntrack timeout 3 s] ── 10.78.1.1:5060 edge-ns ──
/// 10.78.2.2:5080 backend-ns
@Suite("EdgeNATSIPpPhone", .serialized, .timeLimit(.minutes(2)))
struct EdgeNATSIPpPhoneTests {
    static let pinholeSeconds = 3

    @Test func sippPhoneBehindNATRegistersStaysReachableAndTakesACall() throws {
        let topology = try EdgeNATTopology(pinholeSeconds: Self.pinholeSeconds, suite: "EdgeNATSIPpPhoneTests")
        let lab = topology.lab
        defer { lab.shutdown() }
        let (phoneNS, edgeNS, backendNS, binary) = (topology.phone, topology.edge, topology.backend, topology.binary)

        let work = makeTemporaryDirectory()
        let configPath = work + "/edge.yaml"
        let edge = try lab.startSignalingEdge(in: edgeNS, binary: binary, configPath: configPath, yaml: """
        listeners: [{ address: 10.78.1.1, port: 5060, transport: udp }]
        farm: ["sip:10.78.2.2:5080"]
        registrar: { default_mode: passthrough, min_expires: 10 }
        keepalive: { enabled: true, interval: 1, max_pings_lost: 3 }
        admin: 127.0.0.1:9104
        data_dir: \(work)/data
        timers: { t1_ms: 100 }
        """)
        func metrics() throws -> String { try lab.withNamespace(edgeNS) { try adminGet(port: 9104, "/metrics") } }

        // (a) The SIPp phone registers through the edge; the SIPp backend challenges with 401, then accepts.
        let registrar = try lab.spawn(backendNS, ["/usr/bin/sipp", "-sf", EdgeNATTopology.scenario("uas-register-401.xml"),
                                                  "-i", "10.78.2.2", "-p", "5080", "-m", "1", "-nostdin",
                                                  "-timeout", "15s"])
        usleep(300_000)
        let register = try lab.spawn(phoneNS, ["/usr/bin/sipp", "10.78.1.1:5060", "-sf", EdgeNATTopology.scenario("nat-phone-register.xml"),
                                               "-i", "10.77.1.2", "-p", "5062", "-m", "1", "-au", "alice", "-ap", "secret",
                                               "-nostdin", "-timeout", "10s"])
        let registered = register.wait(timeout: .seconds(12))
        #expect(registered?.succeeded == true, "SIPp phone REGISTER failed: \(register.standardOutput().suffix(1500)) \(register.standardError().suffix(1500))")
        _ = registrar.wait(timeout: .seconds(5))
        let bindings = try lab.withNamespace(edgeNS) { try adminGet(port: 9104, "/bindings") }
        try #require(bindings.contains("sip:alice@example.com"), "binding not saved: \(bindings)")

        // (b) The phone now waits for calls on the same port and answers keepalives (-aa) for more than three
        // pinhole timeouts. Only the edge's OPTIONS, from the socket the phone registered to, keep the mapping.
        // No `-m 1`: SIPp counts each auto-answered OPTIONS as a call and would stop taking new ones.
        let phone = try lab.spawn(phoneNS, ["/usr/bin/sipp", "-sf", EdgeNATTopology.scenario("nat-phone-answer.xml"), "-aa",
                                            "-i", "10.77.1.2", "-p", "5062", "-nostdin", "-timeout", "40s", "-trace_msg", "-message_file", work + "/phone-messages.log"])
        usleep(UInt32(3 * Self.pinholeSeconds + 1) * 1_000_000)
        let afterIdle = try metrics()
        #expect(afterIdle.contains("tandem_sip_keepalive_tracked 1"),
                "\(((try? String(contentsOfFile: work + "/phone-messages.log", encoding: .utf8)) ?? "").suffix(3000)) edge: \(edge.standardError().suffix(3000))")
        #expect(!(try lab.withNamespace(edgeNS) { try adminGet(port: 9104, "/bindings") }).isEmpty)

        // (c) The SIPp backend calls alice: the INVITE reaches the SIPp phone through the pinhole, and the call
        // completes (200, ACK, BYE, 200) along the Record-Route.
        let caller = try lab.spawn(backendNS, ["/usr/bin/sipp", "10.78.1.1:5060", "-sf", EdgeNATTopology.scenario("nat-backend-call.xml"),
                                               "-i", "10.78.2.2", "-p", "5080", "-m", "1", "-nostdin", "-timeout", "15s"])
        let called = caller.wait(timeout: .seconds(18))
        #expect(called?.succeeded == true, "backend call failed: \(caller.standardOutput().suffix(1500)) \(caller.standardError().suffix(1500))\n edge: \(edge.standardError().suffix(2000))")
        // The BYE's 200 came from the phone; its own log shows the INVITE it took.
        let phoneLog = (try? String(contentsOfFile: work + "/phone-messages.log", encoding: .utf8)) ?? ""
        #expect(phoneLog.contains("INVITE sip:alice@") && phoneLog.contains("BYE sip:"), "\(phoneLog.suffix(3000))")
        phone.stop()
        let final = try metrics()
        #expect(final.contains("tandem_sip_keepalive_pings_lost_total 0")
                    || final.contains("tandem_sip_keepalive_pings_lost_total 1"), "\(final)")

        edge.terminate()
        // Every transaction is answered: the drain does not wait.
        #expect(edge.wait(timeout: .seconds(3)) != nil, "edge did not exit on SIGTERM")
    }
}
