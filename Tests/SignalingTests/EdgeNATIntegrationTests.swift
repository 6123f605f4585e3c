import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The edge keeps a phone behind a NAT reachable.
///
/// phone-ns 10.77.1.2 ── [router: masquerade, UDP conntrack timeout 3 s] 10.78.1.2 ── 10.78.1.1 edge-ns
/// (`tandem signaling`, the built binary) 10.78.2.1 ── 10.78.2.2 backend-ns (SIPp UAS registrar, then a
/// Swift socket standing in for FreeSWITCH placing a call). The phone is a Swift UDP socket (easy to
/// make answer keepalives or fall silent).
@Suite("EdgeNATIntegration", .serialized, .timeLimit(.minutes(2)))
struct EdgeNATIntegrationTests {
    static let pinholeSeconds = 3

    @Test func keepalivesHoldThePinholeOpenAndDeadPhonesAreRemoved() throws {
        let topology = try EdgeNATTopology(pinholeSeconds: Self.pinholeSeconds, suite: "EdgeNATIntegrationTests")
        let lab = topology.lab
        defer { lab.shutdown() }
        let (phoneNS, edgeNS, backendNS, binary) = (topology.phone, topology.edge, topology.backend, topology.binary)

        let work = makeTemporaryDirectory()
        let configPath = work + "/edge.yaml"
        func writeConfig(keepalive: Bool) throws {
            try """
            listeners: [{ address: 10.78.1.1, port: 5060, transport: udp }]
            farm: ["sip:10.78.2.2:5080"]
            registrar: { default_mode: passthrough, min_expires: 10 }
            keepalive: { enabled: \(keepalive), interval: 1, max_pings_lost: 2 }
            admin: 127.0.0.1:9103
            data_dir: \(work)/data
            timers: { t1_ms: 100 }
            log_level: debug
            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        }
        try writeConfig(keepalive: true)
        let edge = try lab.startSignalingEdge(in: edgeNS, binary: binary, configPath: configPath)
        let uas = try lab.spawn(backendNS, ["/usr/bin/sipp", "-sf",
                                            EdgeNATTopology.scenario("uas-register-401.xml"),
                                            "-i", "10.78.2.2", "-p", "5080", "-m", "1", "-nostdin", "-timeout", "20s"])
        usleep(500_000)

        let phone = try lab.udpSocket(in: phoneNS, bind: "10.77.1.2", port: 5062)
        let fake = SIPPhone(socket: phone)

        // (a) REGISTER through the edge in pass-through mode: 401 from the backend, then 200.
        try fake.send(fake.register(cseq: 1, authorization: nil))
        let challenge = try #require(try fake.waitFor(seconds: 3) { $0.hasPrefix("SIP/2.0 ") && !$0.hasPrefix("SIP/2.0 100") },
                                     "no answer to REGISTER: \(edge.standardError().suffix(2000))")
        #expect(challenge.hasPrefix("SIP/2.0 401"))
        #expect(headerValue(challenge, "WWW-Authenticate")?.contains("Digest") == true)
        try fake.send(fake.register(cseq: 2, authorization:
            "Digest username=\"alice\", realm=\"example.com\", nonce=\"4f2a9c\", uri=\"sip:example.com\", response=\"00000000000000000000000000000000\", algorithm=MD5"))
        let accepted = try #require(try fake.waitFor(seconds: 3) { $0.hasPrefix("SIP/2.0 ") && !$0.hasPrefix("SIP/2.0 100") })
        #expect(accepted.hasPrefix("SIP/2.0 200"))
        _ = uas.wait(timeout: .seconds(5))
        let bindings = try lab.withNamespace(edgeNS) { try adminGet(port: 9103, "/bindings") }
        #expect(bindings.contains("sip:alice@example.com"), "binding not saved: \(bindings)")

        // (b) Longer than 3 pinhole timeouts with keepalives every second: the phone answers them.
        let idle = 3 * Self.pinholeSeconds + 1
        _ = try fake.waitFor(seconds: Double(idle)) { _ in false }
        #expect(fake.optionsAnswered >= idle - 2, "expected keepalive OPTIONS, got \(fake.optionsAnswered)")
        let backend = try lab.udpSocket(in: backendNS, bind: "10.78.2.2", port: 5080)
        let call = BackendCaller(socket: backend)
        try call.sendInvite(callID: "nat-call-1")
        let invite = try #require(try fake.waitFor(seconds: 3) { $0.hasPrefix("INVITE") },
                                  "INVITE did not reach the phone through the pinhole")
        try fake.send(responseText(to: invite, status: "200 OK", extra: ["Contact: <sip:alice@10.77.1.2:5062>"]))
        let ok = try #require(try call.waitFor(seconds: 3) { $0.hasPrefix("SIP/2.0 200") }, "200 did not reach the backend")
        try call.sendAck(for: ok)
        let ack = try fake.waitFor(seconds: 3) { $0.hasPrefix("ACK") }
        #expect(ack != nil, "ACK did not reach the phone")
        // The backend hangs up: the BYE follows the route set through the edge and the pinhole; the phone's 200 returns.
        try call.sendBye(for: ok)
        let bye = try #require(try fake.waitFor(seconds: 3) { $0.hasPrefix("BYE") }, "BYE did not reach the phone")
        #expect(headerValue(bye, "Call-ID") == "nat-call-1")
        try fake.send(responseText(to: bye, status: "200 OK"))
        let byeOK = try call.waitFor(seconds: 3) { $0.hasPrefix("SIP/2.0 200") && headerValue($0, "CSeq") == "2 BYE" }
        #expect(byeOK != nil, "the 200 to the BYE did not reach the backend")

        // (c) Keepalives off (SIGHUP reload): the pinhole closes and the next INVITE times out (408).
        try writeConfig(keepalive: false)
        edge.signal(SIGHUP)
        #expect(edge.waitForOutput(containing: "configuration reloaded", timeout: .seconds(3)))
        let answeredBefore = fake.optionsAnswered
        _ = try fake.waitFor(seconds: Double(2 * Self.pinholeSeconds + 1)) { _ in false }
        #expect(fake.optionsAnswered <= answeredBefore + 1)
        try call.sendInvite(callID: "nat-call-2")
        let lost = try fake.waitFor(seconds: 8) { $0.hasPrefix("INVITE") }
        #expect(lost == nil, "the INVITE must not pass a closed pinhole")
        let timeout = try call.waitFor(seconds: 4) { $0.hasPrefix("SIP/2.0 4") || $0.hasPrefix("SIP/2.0 5") }
        #expect(timeout?.hasPrefix("SIP/2.0 408") == true, "expected 408, got \(timeout ?? "nothing")")

        // (d) Keepalives back on, phone silent (its pinhole is gone): binding removed after max_pings_lost.
        fake.answersOptions = false
        try writeConfig(keepalive: true)
        edge.signal(SIGHUP)
        var removed = false
        for _ in 0..<20 where !removed {
            usleep(500_000)
            removed = !(try lab.withNamespace(edgeNS) { try adminGet(port: 9103, "/bindings") }).contains("alice")
        }
        #expect(removed, "binding not removed after lost keepalives")
        let metrics = try lab.withNamespace(edgeNS) { try adminGet(port: 9103, "/metrics") }
        #expect(metrics.contains("tandem_sip_binding_removals_total{reason=\"keepaliveTimeout\"} 1"))

        edge.terminate()
        let exit = edge.wait(timeout: .seconds(5))
        #expect(exit != nil, "edge did not exit on SIGTERM")
    }
}

/// The phone: a UDP socket that answers keepalive OPTIONS with 200 while it "is alive".
final class SIPPhone: @unchecked Sendable {
    let socket: LabUDPSocket
    var answersOptions = true
    var optionsAnswered = 0
    let edgeHost = "10.78.1.1"
    let edgePort: UInt16 = 5060

    init(socket: LabUDPSocket) { self.socket = socket }

    func send(_ message: String) throws { try socket.send(Array(message.utf8), to: edgeHost, port: edgePort) }

    func register(cseq: Int, authorization: String?) -> String {
        var lines = [
            "REGISTER sip:example.com SIP/2.0",
            "Via: SIP/2.0/UDP 10.77.1.2:5062;branch=z9hG4bKphreg\(cseq);rport",
            "From: <sip:alice@example.com>;tag=ph1", "To: <sip:alice@example.com>", "Call-ID: phone-reg-1",
            "CSeq: \(cseq) REGISTER", "Contact: <sip:alice@10.77.1.2:5062>", "Expires: 600", "Max-Forwards: 70",
        ]
        if let authorization { lines.append("Authorization: \(authorization)") }
        return sipRequest(lines)
    }

    /// Receives for up to `seconds`, answering OPTIONS, until `match` accepts a message.
    func waitFor(seconds: Double, _ match: (String) -> Bool) throws -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let left = max(0.01, deadline.timeIntervalSinceNow)
            guard let datagram = try socket.receive(timeout: .milliseconds(Int(left * 1000))) else { continue }
            let message = text(datagram.bytes)
            if message.hasPrefix("OPTIONS ") {
                if answersOptions {
                    try socket.send(Array(responseText(to: message, status: "200 OK").utf8), to: datagram.host, port: datagram.port)
                    optionsAnswered += 1
                }
                continue
            }
            if match(message) { return message }
        }
        return nil
    }
}

/// The backend placing calls to the phone's AOR through the edge.
final class BackendCaller: @unchecked Sendable {
    let socket: LabUDPSocket

    init(socket: LabUDPSocket) { self.socket = socket }

    func sendInvite(callID: String) throws {
        let invite = sipRequest([
            "INVITE sip:alice@example.com SIP/2.0",
            "Via: SIP/2.0/UDP 10.78.2.2:5080;branch=z9hG4bK\(callID);rport",
            "From: <sip:1000@example.com>;tag=fs1", "To: <sip:alice@example.com>", "Call-ID: \(callID)", "CSeq: 1 INVITE",
            "Contact: <sip:1000@10.78.2.2:5080>", "Max-Forwards: 70", "Content-Type: application/sdp",
        ], body: "v=0\r\no=- 1 1 IN IP4 10.78.2.2\r\ns=-\r\nc=IN IP4 10.78.2.2\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n")
        try socket.send(Array(invite.utf8), to: "10.78.1.1", port: 5060)
    }

    /// ACK for a 2xx: a new transaction along the Record-Route (the edge), to the phone's Contact.
    func sendAck(for ok: String) throws { try sendInDialog("ACK", cseq: 1, for: ok) }

    /// BYE in the dialog the 2xx set up (the backend hangs up), along the same route as the ACK.
    func sendBye(for ok: String) throws { try sendInDialog("BYE", cseq: 2, for: ok) }

    private func sendInDialog(_ method: String, cseq: Int, for ok: String) throws {
        let contact = headerValue(ok, "Contact") ?? "<sip:alice@example.com>"
        let uri = contact.trimmingCharacters(in: CharacterSet(charactersIn: "<>")).components(separatedBy: ">").first ?? contact
        let branch = "z9hG4bK\(method.lowercased())\(UInt32.random(in: 0...UInt32.max))"
        var lines = [
            "\(method) \(uri) SIP/2.0", "Via: SIP/2.0/UDP 10.78.2.2:5080;branch=\(branch);rport",
            "From: \(headerValue(ok, "From") ?? "")", "To: \(headerValue(ok, "To") ?? "")",
            "Call-ID: \(headerValue(ok, "Call-ID") ?? "")", "CSeq: \(cseq) \(method)", "Max-Forwards: 70",
        ]
        for route in headerValues(ok, "Record-Route").reversed() { lines.append("Route: \(route)") }
        try socket.send(Array(sipRequest(lines).utf8), to: "10.78.1.1", port: 5060)
    }

    func waitFor(seconds: Double, _ match: (String) -> Bool) throws -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let left = max(0.01, deadline.timeIntervalSinceNow)
            guard let datagram = try socket.receive(timeout: .milliseconds(Int(left * 1000))) else { continue }
            let message = text(datagram.bytes)
            if match(message) { return message }
        }
        return nil
    }
}

/// GET on the admin listener from inside the current namespace (call it within `withNamespace`).
func adminGet(port: Int, _ target: String) throws -> String {
    let client = try TestTCPClient(connectingTo: port)
    client.write(Array("GET \(target) HTTP/1.0\r\n\r\n".utf8))
    var bytes: [UInt8] = []
    while LoopbackSocket.waitReadable(client.fd, milliseconds: 2000) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { read(client.fd, $0.baseAddress, $0.count) }
        if count <= 0 { break }
        bytes += buffer[0..<count]
    }
    return text(bytes)
}
