import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A send the kernel refuses outright (here ENETUNREACH: the farm's network has no route) makes NIO close the UDP
/// socket it was sent from. The edge binds that socket again at once, so the listener keeps serving: before the
/// reopen, one unroutable farm address was enough to leave a listener deaf for good.
@Suite("EdgeUnroutableSend", .serialized, .timeLimit(.minutes(1)))
struct EdgeUnroutableSendTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func listenerKeepsServingAfterSendsToAnUnroutableFarm() throws {
        try #require(getuid() == 0, "EdgeUnroutableSendTests needs root (a network namespace); CI runs as root")
        let binary = Self.root.appendingPathComponent(".build/debug/tandem").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the tandem binary first (\(binary))")
        let lab = try NetworkLab()
        defer { lab.shutdown() }
        let ns = try lab.addNamespace("edge")  // no default route: 10.9.9.9 is unroutable (ENETUNREACH)
        let phoneNS = try lab.addNamespace("phone")
        try lab.link(ns, interface: "ph0", addresses: ["10.77.5.1/24"], to: phoneNS, interface: "eth0",
                     addresses: ["10.77.5.2/24"])
        let work = makeTemporaryDirectory()
        let configPath = work + "/edge.yaml"
        let edge = try lab.startSignalingEdge(in: ns, binary: binary, configPath: configPath, yaml: """
        listeners: [{ address: 0.0.0.0, port: 5062, transport: udp }]
        farm: ["sip:10.9.9.9:5080"]
        admin: 127.0.0.1:9105
        data_dir: \(work)/data
        timers: { t1_ms: 100 }
        """)
        let phone = try lab.udpSocket(in: phoneNS, bind: "10.77.5.2")
        for round in 0..<3 {
            try phone.send(Array(Self.request("INVITE", round, port: phone.localPort).utf8), to: "10.77.5.1", port: 5062)
            usleep(300_000)  // the INVITE and its retransmissions toward the farm fail
            // Retransmitted like a UA's (Timer E): a datagram that arrives in the moment between a close and its
            // reopen is lost, and the INVITE's own retransmissions keep failing (and reopening) meanwhile.
            var answered = false
            let deadline = Date().addingTimeInterval(3)
            while !answered, Date() < deadline {
                try phone.send(Array(Self.request("OPTIONS", round, port: phone.localPort).utf8), to: "10.77.5.1", port: 5062)
                guard let datagram = try phone.receive(timeout: .milliseconds(250)) else { continue }
                let text = String(decoding: datagram.bytes, as: UTF8.self)
                answered = text.hasPrefix("SIP/2.0 200") && text.contains("CSeq: 1 OPTIONS")
            }
            #expect(answered, "round \(round): OPTIONS not answered after failed sends: \(edge.standardError().suffix(1500))")
        }
        let metrics = try lab.withNamespace(ns) { try adminGet(port: 9105, "/metrics") }
        let reopens = metrics.split(separator: "\n").first { $0.hasPrefix("tandem_sip_udp_listener_reopens_total ") }
        #expect((reopens?.split(separator: " ").last).flatMap { Int($0) } ?? 0 >= 1, "\(metrics)")
        edge.stop(grace: .seconds(6))
    }

    static func request(_ method: String, _ round: Int, port: UInt16) -> String {
        let target = method == "OPTIONS" ? "sip:10.77.5.1:5062" : "sip:bob@example.com"
        return [
            "\(method) \(target) SIP/2.0", "Via: SIP/2.0/UDP 10.77.5.2:\(port);branch=z9hG4bK\(method)\(round);rport",
            "From: <sip:alice@example.com>;tag=t\(round)", "To: <\(target)>", "Call-ID: \(method)-\(round)@unroutable",
            "CSeq: 1 \(method)", "Max-Forwards: 70", "Contact: <sip:alice@10.77.5.2:\(port)>", "Content-Length: 0", "", "",
        ].joined(separator: "\r\n")
    }
}
