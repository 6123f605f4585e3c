import Foundation
import Testing
@testable import Signaling

/// Seed flow 7: two relays configured, one dies, new calls use the other. Loopback: two `tandem relay`
/// processes with distinct port ranges (so the SDP the farm sees says which relay a call got), the edge
/// in-process, SIPp for the calls.
@Suite("SteeringRelayFailover", .serialized, .timeLimit(.minutes(1)))
struct SteeringRelayFailoverTests {
    @Test func aRelayDiesAndNewCallsUseTheOther() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/sipp"), "sipp is needed: scripts/install-deps.sh")
        try #require(FileManager.default.isExecutableFile(atPath: SteeringLab.tandemBinary), "run swift build first")
        let work = SteeringLab.workDirectory()
        var children: [SteeringChildProcess] = []
        defer { for child in children.reversed() { child.stop() } }
        let ngA = SteeringLab.freeUDPPort(), ngB = SteeringLab.freeUDPPort()
        let relayA = try SteeringLab.startTandemRelay(ngPort: ngA, portMin: 23000, work: work)
        let relayB = try SteeringLab.startTandemRelay(ngPort: ngB, portMin: 24000, work: work)
        children += [relayA, relayB]
        try #require(SteeringLab.waitForPong(ngPort: ngA, seconds: 8), "relay A:\n\(relayA.logTail())")
        try #require(SteeringLab.waitForPong(ngPort: ngB, seconds: 8), "relay B:\n\(relayB.logTail())")

        let calls = 6
        let uasPort = SteeringLab.freeUDPPort()
        let edge = try await startTestEdge(farm: [uasPort]) { configuration in
            configuration.media.relays = [MediaRelay(host: "127.0.0.1", port: ngA), MediaRelay(host: "127.0.0.1", port: ngB)]
            configuration.media.client.pingIntervalMilliseconds = 300
            configuration.media.client.pingTimeoutMilliseconds = 200
            configuration.media.client.retransmitMilliseconds = 200
            configuration.media.client.attemptsPerRelay = 2
            configuration.media.client.failuresToDown = 2
        }
        // Relay A dies; within a few ping rounds the edge marks it down.
        relayA.kill()
        var relays = ""
        for _ in 0..<30 {
            relays = try adminRequest(edge, "GET", "/relays").1
            if relays.contains("\"address\":\"127.0.0.1:\(ngA)\"") && relays.contains("\"state\":\"down\"") { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        #expect(relays.contains("\"state\":\"down\""), "relay A not marked down: \(relays)")

        let uas = try SteeringChildProcess(
            name: "sipp uas", executable: "/usr/bin/sipp",
            arguments: ["-sf", SteeringLab.fixture("uas-steer.xml"), "-i", "127.0.0.1", "-p", "\(uasPort)", "-m", "\(calls)",
                        "-nostdin", "-trace_logs", "-log_file", "\(work)/uas.log", "-key", "media_port_b", "4000",
                        "-timeout", "30s", "-timeout_error"],
            logPath: "\(work)/sipp-uas.out")
        children.append(uas)
        usleep(300_000)
        let uac = try SteeringChildProcess(
            name: "sipp uac", executable: "/usr/bin/sipp",
            arguments: ["-sf", SteeringLab.fixture("uac-steer.xml"), "127.0.0.1:\(edge.udpPort)", "-i", "127.0.0.1",
                        "-p", "\(SteeringLab.freeUDPPort())", "-m", "\(calls)", "-l", "2", "-r", "10", "-nostdin", "-trace_logs",
                        "-log_file", "\(work)/uac.log", "-key", "media_port_a", "4002", "-d", "200",
                        "-timeout", "30s", "-timeout_error"],
            logPath: "\(work)/sipp-uac.out")
        children.append(uac)
        #expect(uac.waitForExit(seconds: 25) == 0, "SIPp UAC failed:\n\(uac.logTail())")
        #expect(uas.waitForExit(seconds: 10) == 0, "SIPp UAS failed:\n\(uas.logTail())")
        let seen = SteeringLab.mediaLines("MEDIA-B", in: "\(work)/uas.log")
        #expect(seen.count == calls)
        #expect(seen.allSatisfy { (24000..<25000).contains($0.port) }, "calls must land on relay B: \(seen.map(\.port))")
        let metrics = try await edge.metricsText()
        #expect(metrics.contains("tandem_media_relay_up{relay=\"127.0.0.1:\(ngA)\"} 0"))
        #expect(metrics.contains("tandem_media_relay_up{relay=\"127.0.0.1:\(ngB)\"} 1"))
        #expect(metrics.contains("tandem_media_forwarded_unsteered_total 0"))
        await edge.stop()
    }
}
