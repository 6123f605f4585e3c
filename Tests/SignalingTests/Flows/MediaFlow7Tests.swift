import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Seed flow 7 in namespaces: two `tandem relay`s, each in its own namespace; the one that carries the first call
/// is killed (SIGKILL) and new calls use the other. The loopback version (`SteeringRelayFailoverTests`) kills a
/// relay before any call; this one also checks a call placed right after the kill, before the pings have marked
/// the relay down (the ng retransmissions time out and the offer moves to the other relay).
///
/// phones-ns 10.77.1.2 (phone :5062) ── [NAT router] 10.78.1.2 ── 10.78.1.1 edge-ns (`tandem signaling`, the built
/// binary, `media: policy nat`) ── 10.78.2.2 backend-ns (a Swift socket playing FreeSWITCH), ── 10.78.3.2 relay-a-ns
/// and ── 10.78.4.2 relay-b-ns (`tandem relay` each). The relay's address in the SDP says which relay a call got;
/// the survivor's ng `statistics` counts the offers and answers it took.
@Suite("MediaFlow7", .serialized, .timeLimit(.minutes(1)))
struct MediaFlow7Tests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let relayHosts = ["10.78.3.2", "10.78.4.2"]

    @Test func aRelayIsKilledAndNewCallsUseTheOther() throws {
        try #require(getuid() == 0, "needs root (network namespaces); CI runs as root")
        let binary = Self.root.appendingPathComponent(".build/debug/tandem").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the tandem binary first (\(binary))")

        let lab = try NetworkLab()
        defer { lab.shutdown() }
        let router = try lab.addHomeRouter(udpTimeout: 30)
        let phonesNS = try lab.addNamespace("phones")
        let edgeNS = try lab.addNamespace("edge")
        let backendNS = try lab.addNamespace("backend")
        try router.connectLAN(phonesNS, hostAddress: "10.77.1.2/24", routerAddress: "10.77.1.1/24")
        try router.connectWAN(edgeNS, peerAddress: "10.78.1.1/24", routerAddress: "10.78.1.2/24")
        try lab.link(edgeNS, interface: "bk0", addresses: ["10.78.2.1/24"], to: backendNS, interface: "eth0", addresses: ["10.78.2.2/24"])
        try lab.setDefaultRoute(backendNS, via: "10.78.2.1")
        var relays: [LabProcess] = []
        for (index, host) in Self.relayHosts.enumerated() {
            let relayNS = try lab.addNamespace("relay-\(index)")
            let edgeSide = "10.78.\(3 + index).1"
            try lab.link(edgeNS, interface: "rl\(index)", addresses: ["\(edgeSide)/24"], to: relayNS, interface: "eth0",
                         addresses: ["\(host)/24"])
            try lab.setDefaultRoute(relayNS, via: edgeSide)
            let portMin = 30000 + index * 1000
            relays.append(try lab.spawn(relayNS, [binary, "relay", "--interface", host, "--listen-ng", "\(host):2223",
                                                  "--port-min", "\(portMin)", "--port-max", "\(portMin + 999)", "--kernel", "off",
                                                  "--listen-metrics", ""]))
        }
        try lab.enableForwarding(edgeNS)
        for relay in relays {
            try #require(relay.waitForOutput(containing: "listening for ng", timeout: .seconds(10)), "relay: \(relay.standardError())")
        }

        let work = makeTemporaryDirectory()
        let configPath = work + "/edge.yaml"
        let edge = try lab.startSignalingEdge(in: edgeNS, binary: binary, configPath: configPath, yaml: """
        listeners: [{ address: 10.78.1.1, port: 5060, transport: udp }]
        farm: ["sip:10.78.2.2:5080"]
        registrar: { default_mode: local }
        keepalive: { enabled: false }
        media:
          relays: ["\(Self.relayHosts[0]):2223", "\(Self.relayHosts[1]):2223"]
          policy: nat
          ping_interval: 0.5
          ping_timeout: 0.3
          retransmit_ms: 200
          attempts: 2
          down_after: 2
        admin: 127.0.0.1:9103
        data_dir: \(work)/data
        timers: { t1_ms: 100 }
        log_level: info
        """)

        let phone = MediaFlowEndpoint(try lab.udpSocket(in: phonesNS, bind: "10.77.1.2", port: 5062), host: "10.77.1.2", port: 5062)
        let backend = MediaFlowEndpoint(try lab.udpSocket(in: backendNS, bind: "10.78.2.2", port: 5080), host: "10.78.2.2", port: 5080)
        let steeredCall = { (number: Int) throws -> (offer: String, answer: String) in
            try Self.call(number, phone: phone, backend: backend, edge: edge)
        }

        try phone.send(MediaFlowSIP.register(user: "alice", host: phone.host, port: phone.port, callID: "reg-alice"),
                       to: "10.78.1.1", port: 5060)
        let registered = try phone.waitFor(seconds: 3) { $0.hasPrefix("SIP/2.0 ") && !$0.hasPrefix("SIP/2.0 100") }
        #expect(registered?.hasPrefix("SIP/2.0 200") == true, "REGISTER: \(registered ?? "no answer")")

        // Call 1 with both relays up: whichever relay took it is the one that dies.
        let first = try steeredCall(1)
        let victim = try #require(Self.relayHosts.firstIndex(of: first.offer), "call 1 not steered: \(first)")
        let survivor = Self.relayHosts[1 - victim]
        #expect(first.answer == first.offer, "the answer comes from the relay of the offer")
        relays[victim].kill()
        _ = relays[victim].wait(timeout: .seconds(2))

        // Call 2 right away: the dead relay may still be "up"; the offer must move to the survivor.
        let second = try steeredCall(2)
        #expect(second.offer == survivor && second.answer == survivor, "call 2 must use \(survivor): \(second)")

        // The pings mark the dead relay down; calls 3 and 4 go straight to the survivor.
        var down = false
        for _ in 0..<40 where !down {
            let json = try lab.withNamespace(edgeNS) { try adminGet(port: 9103, "/relays") }
            down = Self.relayState(json, address: "\(Self.relayHosts[victim]):2223") == "down"
            if !down { usleep(100_000) }
        }
        #expect(down, "the killed relay is not marked down: \((try? lab.withNamespace(edgeNS) { try adminGet(port: 9103, "/relays") }) ?? "")")
        for number in 3...4 {
            let call = try steeredCall(number)
            #expect(call.offer == survivor && call.answer == survivor, "call \(number) must use \(survivor): \(call)")
        }

        // The survivor's own counters: the three calls after the kill, each with an answer.
        let statistics = try Self.ngStatistics(lab: lab, namespace: edgeNS, relay: survivor)
        #expect(statistics.contains("15:managedsessionsi3e"), "survivor sessions: \(statistics)")
        #expect(statistics.contains("9:answer oki"), "survivor answers: \(statistics)")
        let metrics = try lab.withNamespace(edgeNS) { try adminGet(port: 9103, "/metrics") }
        #expect(metrics.contains("tandem_media_forwarded_unsteered_total 0"), "every call steered: \(metrics)")
        edge.terminate()
        _ = edge.wait(timeout: .seconds(5))
    }

    /// Phone → edge → backend INVITE, backend 200, back at the phone: the relay address of the offer the backend
    /// got and of the answer the phone got.
    static func call(_ number: Int, phone: MediaFlowEndpoint, backend: MediaFlowEndpoint, edge: LabProcess) throws
        -> (offer: String, answer: String)
    {
        let callID = "flow7-\(number)"
        try phone.send(MediaFlowSIP.invite(from: "alice", to: "100\(number)", via: phone.host, port: phone.port, callID: callID,
                                           tag: "a\(number)", sdp: MediaFlowSIP.sdp(host: phone.host, port: 4000 + 2 * number, origin: "alice")),
                       to: "10.78.1.1", port: 5060)
        let invite = try #require(try backend.waitFor(seconds: 5) { $0.hasPrefix("INVITE") && $0.contains(callID) },
                                  "call \(number) did not reach the backend: \(edge.standardError().suffix(2000))")
        let offer = try #require(MediaFlowSIP.media(MediaFlowSIP.body(invite)), "call \(number): no SDP at the backend")
        try backend.send(MediaFlowSIP.response(to: invite, status: "200 OK", contact: "sip:fs@10.78.2.2:5080",
                                               sdp: MediaFlowSIP.sdp(host: backend.host, port: 5000 + 2 * number, origin: "fs"),
                                               toTag: "fs\(number)"),
                         to: "10.78.1.1", port: 5060)
        let ok = try #require(try phone.waitFor(seconds: 5) { $0.hasPrefix("SIP/2.0 200") && $0.contains(callID) },
                              "call \(number): the 200 did not reach the phone")
        let answer = try #require(MediaFlowSIP.media(MediaFlowSIP.body(ok)), "call \(number): no SDP in the 200")
        return (offer.host, answer.host)
    }

    /// `state` of one relay in the edge's `GET /relays` JSON (the body: anything before the first `{` is skipped).
    static func relayState(_ text: String, address: String) -> String? {
        guard let start = text.firstIndex(of: "{") else { return nil }
        let json = String(text[start...])
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let relays = object["relays"] as? [[String: Any]] else { return nil }
        return relays.first { $0["address"] as? String == address }?["state"] as? String
    }

    /// The raw bencoded ng `statistics` reply of the relay at `relay:2223`, asked from `namespace`.
    static func ngStatistics(lab: NetworkLab, namespace: LabNamespace, relay: String) throws -> String {
        let socket = try lab.udpSocket(in: namespace, bind: "0.0.0.0")
        defer { socket.close() }
        try socket.send(Array("flow7 d7:command10:statisticse".utf8), to: relay, port: 2223)
        guard let reply = try socket.receive(timeout: .seconds(2)) else { return "" }
        return String(decoding: reply.bytes, as: UTF8.self)
    }
}
