import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Seed flow 1 with media steering: registered phone to registered phone through a backend and back to the
/// other phone's pinhole, RTP both ways through a `tandem relay`, checked with packets.
///
/// phones-ns 10.77.1.2 (phone A :5062 RTP :4000, phone B :5064 RTP :4002) ── [NAT router] 10.78.1.2 ──
/// 10.78.1.1 edge-ns (`tandem signaling`, the built binary, `media: policy nat`) ── 10.78.2.2 backend-ns (a Swift
/// socket playing FreeSWITCH in bypass-media mode: it bridges leg A to a new leg B for bob's AOR, passing the SDP
/// through) and ── 10.78.3.2 relay-ns (`tandem relay`). The edge forwards between its links.
/// Both legs are steered (a NATed phone on each), so the media path is phone A → relay (leg A) → relay (leg B)
/// → phone B and back: the backend never sees RTP.
@Suite("MediaFlow1", .serialized, .timeLimit(.minutes(1)))
struct MediaFlow1Tests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func phoneToPhoneThroughTheBackendCarriesRTPThroughTheRelay() throws {
        try #require(getuid() == 0, "needs root (network namespaces); CI runs as root")
        let binary = Self.root.appendingPathComponent(".build/debug/tandem").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the tandem binary first (\(binary))")

        let lab = try NetworkLab()
        defer { lab.shutdown() }
        let router = try lab.addHomeRouter(udpTimeout: 30)
        let phonesNS = try lab.addNamespace("phones")
        let edgeNS = try lab.addNamespace("edge")
        let backendNS = try lab.addNamespace("backend")
        let relayNS = try lab.addNamespace("relay")
        try router.connectLAN(phonesNS, hostAddress: "10.77.1.2/24", routerAddress: "10.77.1.1/24")
        try router.connectWAN(edgeNS, peerAddress: "10.78.1.1/24", routerAddress: "10.78.1.2/24")
        try lab.link(edgeNS, interface: "bk0", addresses: ["10.78.2.1/24"], to: backendNS, interface: "eth0", addresses: ["10.78.2.2/24"])
        try lab.link(edgeNS, interface: "rl0", addresses: ["10.78.3.1/24"], to: relayNS, interface: "eth0", addresses: ["10.78.3.2/24"])
        try lab.setDefaultRoute(backendNS, via: "10.78.2.1")
        try lab.setDefaultRoute(relayNS, via: "10.78.3.1")
        try lab.enableForwarding(edgeNS)

        let relay = try lab.spawn(relayNS, [binary, "relay", "--interface", "10.78.3.2", "--listen-ng", "10.78.3.2:2223",
                                            "--port-min", "30000", "--port-max", "30999", "--kernel", "off", "--listen-metrics", ""])
        try #require(relay.waitForOutput(containing: "listening for ng", timeout: .seconds(10)), "relay: \(relay.standardError())")

        let work = makeTemporaryDirectory()
        let configPath = work + "/edge.yaml"
        let edge = try lab.startSignalingEdge(in: edgeNS, binary: binary, configPath: configPath, yaml: """
        listeners: [{ address: 10.78.1.1, port: 5060, transport: udp }]
        farm: ["sip:10.78.2.2:5080"]
        registrar: { default_mode: local }
        keepalive: { enabled: false }
        media: { relays: [{ address: "10.78.3.2:2223", weight: 1 }], policy: nat, ping_interval: 1 }
        admin: 127.0.0.1:9103
        data_dir: \(work)/data
        timers: { t1_ms: 100 }
        log_level: info
        """)

        let phoneA = MediaFlowEndpoint(try lab.udpSocket(in: phonesNS, bind: "10.77.1.2", port: 5062), host: "10.77.1.2", port: 5062)
        let phoneB = MediaFlowEndpoint(try lab.udpSocket(in: phonesNS, bind: "10.77.1.2", port: 5064), host: "10.77.1.2", port: 5064)
        let rtpA = try lab.udpSocket(in: phonesNS, bind: "10.77.1.2", port: 4000)
        let rtpB = try lab.udpSocket(in: phonesNS, bind: "10.77.1.2", port: 4002)
        let backend = MediaFlowEndpoint(try lab.udpSocket(in: backendNS, bind: "10.78.2.2", port: 5080), host: "10.78.2.2", port: 5080)
        let edgeHost = "10.78.1.1", edgePort = 5060

        // Both phones register through the NAT (the pinholes the backend's call will use).
        for (phone, user) in [(phoneA, "alice"), (phoneB, "bob")] {
            try phone.send(MediaFlowSIP.register(user: user, host: phone.host, port: phone.port, callID: "reg-\(user)"), to: edgeHost, port: edgePort)
            let ok = try phone.waitFor(seconds: 3) { $0.hasPrefix("SIP/2.0 ") && !$0.hasPrefix("SIP/2.0 100") }
            #expect(ok?.hasPrefix("SIP/2.0 200") == true, "REGISTER \(user): \(ok ?? "no answer")")
        }

        // Phone A calls bob: the edge sends it to the backend with the relay's SDP.
        try phoneA.send(MediaFlowSIP.invite(from: "alice", to: "bob", via: phoneA.host, port: phoneA.port, callID: "flow1-a",
                                            tag: "a1", sdp: MediaFlowSIP.sdp(host: "10.77.1.2", port: 4000, origin: "alice")),
                        to: edgeHost, port: edgePort)
        let legA = try #require(try backend.waitFor(seconds: 5) { $0.hasPrefix("INVITE") },
                                "leg A did not reach the backend: \(edge.standardError().suffix(2000))")
        let legASDP = MediaFlowSIP.body(legA)
        let offerA = try #require(MediaFlowSIP.media(legASDP))
        #expect(offerA.host == "10.78.3.2", "the backend must see the relay, got \(offerA)")
        #expect((30000...30999).contains(offerA.port))

        // The backend bridges to bob (bypass media: leg A's SDP goes on unchanged).
        try backend.send(MediaFlowSIP.invite(from: "alice", to: "bob", via: backend.host, port: backend.port, callID: "flow1-b",
                                             tag: "fsb", sdp: legASDP), to: edgeHost, port: edgePort)
        let legB = try #require(try phoneB.waitFor(seconds: 5) { $0.hasPrefix("INVITE") }, "leg B did not reach phone B")
        let offerB = try #require(MediaFlowSIP.media(MediaFlowSIP.body(legB)))
        #expect(offerB.host == "10.78.3.2")
        #expect(offerB.port != offerA.port, "leg B gets its own relay ports")
        try phoneB.send(MediaFlowSIP.response(to: legB, status: "200 OK", contact: "sip:bob@10.77.1.2:5064",
                                              sdp: MediaFlowSIP.sdp(host: "10.77.1.2", port: 4002, origin: "bob"), toTag: "b1"),
                        to: edgeHost, port: edgePort)
        let okB = try #require(try backend.waitFor(seconds: 5) { $0.hasPrefix("SIP/2.0 200") && $0.contains("flow1-b") },
                               "bob's 200 did not reach the backend")
        let answerB = MediaFlowSIP.body(okB)
        #expect(MediaFlowSIP.media(answerB)?.host == "10.78.3.2")
        try backend.send(MediaFlowSIP.response(to: legA, status: "200 OK", contact: "sip:fs@10.78.2.2:5080", sdp: answerB, toTag: "fsa"),
                         to: edgeHost, port: edgePort)
        let okA = try #require(try phoneA.waitFor(seconds: 5) { $0.hasPrefix("SIP/2.0 200") }, "200 did not reach phone A")
        let answerA = try #require(MediaFlowSIP.media(MediaFlowSIP.body(okA)))
        #expect(answerA.host == "10.78.3.2")

        // RTP: each phone sends first (opening its pinhole, as phones do), then both directions are counted.
        _ = try MediaFlowSIP.exchangeRTP(from: rtpB, to: offerB.host, port: offerB.port, expectAt: rtpA, marker: 0x01, count: 3)
        _ = try MediaFlowSIP.exchangeRTP(from: rtpA, to: answerA.host, port: answerA.port, expectAt: rtpB, marker: 0x02, count: 3)
        let aToB = try MediaFlowSIP.exchangeRTP(from: rtpA, to: answerA.host, port: answerA.port, expectAt: rtpB, marker: 0xA0, count: 40)
        let bToA = try MediaFlowSIP.exchangeRTP(from: rtpB, to: offerB.host, port: offerB.port, expectAt: rtpA, marker: 0xB0, count: 40)
        #expect(aToB >= 36, "A→B: only \(aToB)/40 packets crossed the relay")
        #expect(bToA >= 36, "B→A: only \(bToA)/40 packets crossed the relay")

        let metrics = try lab.withNamespace(edgeNS) { try adminGet(port: 9103, "/metrics") }
        #expect(metrics.contains("tandem_media_calls_steered_total 2"), "both legs steered: \(metrics)")
        #expect(metrics.contains("tandem_media_ng_requests_total{command=\"answer\",result=\"ok\"} 2"))
        edge.terminate()
        _ = edge.wait(timeout: .seconds(5))
    }
}
