import Foundation
import Testing
@testable import Signaling

/// SIPp UAC → edge (in-process, media steering on) → SIPp UAS (the farm), with a real ng relay as a child
/// process: the built `tandem relay`, then Debian's `rtpengine` (userspace) with the same steering. The test
/// owns both media sockets, so it checks with packets that RTP crosses the relay in both directions.
@Suite("SteeringLoopback", .serialized, .timeLimit(.minutes(1)))
struct SteeringLoopbackTests {
    enum RelayKind: String, CaseIterable, Sendable {
        case tandem
        case rtpengine
    }

    @Test(arguments: RelayKind.allCases)
    func callThroughTheEdgeCarriesMediaThroughTheRelay(_ kind: RelayKind) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/sipp"), "sipp is needed: scripts/install-deps.sh")
        let work = SteeringLab.workDirectory()
        var children: [SteeringChildProcess] = []
        defer { for child in children.reversed() { child.stop() } }

        let ngPort = SteeringLab.freeUDPPort()
        let portMin = kind == .tandem ? 21000 : 22000
        let relay: SteeringChildProcess
        switch kind {
        case .tandem:
            try #require(FileManager.default.isExecutableFile(atPath: SteeringLab.tandemBinary), "run swift build first")
            relay = try SteeringLab.startTandemRelay(ngPort: ngPort, portMin: portMin, work: work)
        case .rtpengine:
            try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/rtpengine"), "rtpengine-daemon is needed")
            relay = try SteeringLab.startRTPEngine(ngPort: ngPort, portMin: portMin, work: work)
        }
        children.append(relay)
        try #require(SteeringLab.waitForPong(ngPort: ngPort, seconds: 8), "\(relay.name) did not answer ng ping:\n\(relay.logTail())")

        let mediaA = try TestUDPClient(), mediaB = try TestUDPClient()
        let uasPort = SteeringLab.freeUDPPort()
        let uas = try SteeringChildProcess(
            name: "sipp uas", executable: "/usr/bin/sipp",
            arguments: ["-sf", SteeringLab.fixture("uas-steer.xml"), "-i", "127.0.0.1", "-p", "\(uasPort)", "-m", "1", "-nostdin",
                        "-trace_logs", "-log_file", "\(work)/uas.log", "-key", "media_port_b", "\(mediaB.port)",
                        "-timeout", "30s", "-timeout_error"],
            logPath: "\(work)/sipp-uas.out")
        children.append(uas)

        let edge = try await startTestEdge(farm: [uasPort]) { configuration in
            configuration.media.relays = [MediaRelay(host: "127.0.0.1", port: ngPort)]
            configuration.media.steering.policy = .always
        }
        usleep(300_000)
        let uac = try SteeringChildProcess(
            name: "sipp uac", executable: "/usr/bin/sipp",
            arguments: ["-sf", SteeringLab.fixture("uac-steer.xml"), "127.0.0.1:\(edge.udpPort)", "-i", "127.0.0.1",
                        "-p", "\(SteeringLab.freeUDPPort())", "-m", "1", "-l", "1", "-nostdin", "-trace_logs",
                        "-log_file", "\(work)/uac.log", "-key", "media_port_a", "\(mediaA.port)", "-d", "3000",
                        "-timeout", "30s", "-timeout_error"],
            logPath: "\(work)/sipp-uac.out")
        children.append(uac)

        let towardB = SteeringLab.waitForMediaLine("MEDIA-A", in: "\(work)/uac.log", seconds: 10)
        let towardA = SteeringLab.waitForMediaLine("MEDIA-B", in: "\(work)/uas.log", seconds: 10)
        guard let towardB, let towardA else {
            let seen = "uac \(String(describing: towardB)) uas \(String(describing: towardA))"
            Issue.record(Comment(rawValue: "no SDP seen: \(seen)\nrelay:\n\(relay.logTail())\nuac:\n\(uac.logTail())\nuas:\n\(uas.logTail())"))
            await edge.stop()
            return
        }
        // The UAS (the farm) sees the relay's address and a port of the relay's range, not the UAC's own socket.
        #expect(towardA.host == "127.0.0.1")
        #expect((portMin..<portMin + 1000).contains(towardA.port), "UAS saw port \(towardA.port): SDP not steered")
        #expect((portMin..<portMin + 1000).contains(towardB.port), "UAC saw port \(towardB.port): SDP not steered")

        let aToB = SteeringLab.exchangeRTP(from: mediaA, toPort: towardB.port, expectAt: mediaB, marker: 0xA0, count: 40)
        let bToA = SteeringLab.exchangeRTP(from: mediaB, toPort: towardA.port, expectAt: mediaA, marker: 0xB0, count: 40)
        #expect(aToB >= 36, "A→B: only \(aToB)/40 RTP packets crossed the relay")
        #expect(bToA >= 36, "B→A: only \(bToA)/40 RTP packets crossed the relay")

        #expect(uac.waitForExit(seconds: 15) == 0, "SIPp UAC failed:\n\(uac.logTail())")
        #expect(uas.waitForExit(seconds: 10) == 0, "SIPp UAS failed:\n\(uas.logTail())")
        // offer, answer and (after the BYE) delete all answered by the relay.
        var metrics = ""
        for _ in 0..<20 {
            metrics = try await edge.metricsText()
            if metrics.contains("tandem_media_ng_requests_total{command=\"delete\",result=\"ok\"} 1") { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        for command in ["offer", "answer", "delete"] {
            #expect(metrics.contains("tandem_media_ng_requests_total{command=\"\(command)\",result=\"ok\"} 1"), "\(command): \(metrics)")
        }
        #expect(metrics.contains("tandem_media_relay_up{relay=\"127.0.0.1:\(ngPort)\"} 1"))
        let (status, relays) = try adminRequest(edge, "GET", "/relays")
        #expect(status.contains("200"))
        #expect(relays.contains("\"state\":\"up\""))
        await edge.stop()
    }
}
