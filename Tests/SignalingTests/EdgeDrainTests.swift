import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM drains: the built `tandem signaling` on loopback gets SIGTERM while an INVITE waits at a backend that
/// answers after a second; the answer still reaches the caller, and then the process exits 0 (EdgeServer.stop:
/// new requests refused, in-flight transactions given `drain_timeout`).
@Suite("EdgeDrain", .serialized, .timeLimit(.minutes(1)))
struct EdgeDrainTests {
    @Test func sigtermLetsTheInFlightInviteFinish() throws {
        let binary = SteeringLab.tandemBinary
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the tandem binary first (\(binary))")
        let work = SteeringLab.workDirectory()
        let backend = try TestUDPClient()
        let edgePort = SteeringLab.freeUDPPort()
        let config = work + "/edge.yaml"
        try """
        listeners: [{ address: 127.0.0.1, port: \(edgePort), transport: udp }]
        farm: ["sip:127.0.0.1:\(backend.port)"]
        admin: ""
        data_dir: \(work)/data
        drain_timeout: 3
        timers: { t1_ms: 100 }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let edge = try SteeringChildProcess(name: "tandem signaling", executable: binary,
                                            arguments: ["signaling", "--config", config], logPath: work + "/edge.log")
        defer { edge.stop() }
        let deadline = Date().addingTimeInterval(10)
        while !edge.logTail().contains("signaling edge started"), Date() < deadline { usleep(50_000) }
        try #require(edge.logTail().contains("signaling edge started"), "edge did not start: \(edge.logTail())")

        let phone = try TestUDPClient()
        phone.send(dispatchInvite(phone: phone, user: "bob", callID: "drain-1"), toPort: edgePort)
        let invite = try #require(receive(backend) { $0.hasPrefix("INVITE") }, "INVITE did not reach the backend")
        kill(edge.process.processIdentifier, SIGTERM)
        // The backend takes its time; the edge must still be there to relay the answer.
        usleep(1_000_000)
        #expect(edge.process.isRunning, "the edge exited with an INVITE in flight")
        backend.send(responseText(to: invite, status: "200 OK", extra: ["Contact: <sip:bob@127.0.0.1:\(backend.port)>"]),
                     toPort: edgePort)
        let answer = receive(phone) { $0.hasPrefix("SIP/2.0") && !$0.hasPrefix("SIP/2.0 100") }
        #expect(answer?.hasPrefix("SIP/2.0 200") == true, "final response lost in the drain: \(edge.logTail())")
        #expect(answer.flatMap { headerValue($0, "Call-ID") } == "drain-1")
        let status = edge.waitForExit(seconds: 8)
        #expect(status == 0, "exit status \(String(describing: status)): \(edge.logTail())")
    }
}
