import Foundation
import Glibc
import Relay
import Testing

/// Which ng relay the interop test talks to, and how it gets one.
///
/// - `RELAY_NG=host:port`: a relay that is already running (nothing is spawned).
/// - `TANDEM_INTEROP_RELAY=rtpengine`: Debian's rtpengine, in userspace (`--table=-1`), on free ports.
/// - default: `.build/debug/tandem relay`. If that binary has no `relay` subcommand yet, the test fails and says so.
struct InteropRelay {
    let host: String
    let ngPort: UInt16
    let process: InteropChildProcess?

    struct LaunchError: Error, CustomStringConvertible {
        var description: String
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static func start(workDirectory: String) throws -> InteropRelay {
        let env = ProcessInfo.processInfo.environment
        if let given = env["RELAY_NG"], !given.isEmpty {
            guard let colon = given.lastIndex(of: ":"), let port = UInt16(given[given.index(after: colon)...]) else {
                throw LaunchError(description: "RELAY_NG must be host:port, got \(given)")
            }
            let host = String(given[..<colon])
            guard InteropNet.waitForNGPong(host: host, port: port, seconds: 3) else {
                throw LaunchError(description: "no ng pong from RELAY_NG=\(given)")
            }
            return InteropRelay(host: host, ngPort: port, process: nil)
        }
        let port = InteropNet.freeUDPPort()
        let process: InteropChildProcess
        if env["TANDEM_INTEROP_RELAY"] == "rtpengine" {
            process = try spawnRTPEngine(ngPort: port, workDirectory: workDirectory)
        } else {
            process = try spawnTandemRelay(ngPort: port, workDirectory: workDirectory)
        }
        guard InteropNet.waitForNGPong(host: "127.0.0.1", port: port, seconds: 8) else {
            process.stop()
            throw LaunchError(description: "\(process.name) did not answer ng ping on 127.0.0.1:\(port); log:\n\(process.logTail())")
        }
        return InteropRelay(host: "127.0.0.1", ngPort: port, process: process)
    }

    static func spawnRTPEngine(ngPort: UInt16, workDirectory: String) throws -> InteropChildProcess {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/rtpengine") else {
            throw LaunchError(description: "rtpengine not installed (scripts/install-deps.sh installs rtpengine-daemon)")
        }
        return try InteropChildProcess(
            name: "rtpengine", executable: "/usr/bin/rtpengine",
            arguments: ["--config-file=none", "--foreground", "--table=-1", "--interface=127.0.0.1", "--listen-ng=127.0.0.1:\(ngPort)",
                        "--port-min=36000", "--port-max=36999", "--num-threads=1", "--delete-delay=0",
                        "--log-stderr", "--log-level=6", "--pidfile=\(workDirectory)/rtpengine.pid"],
            logPath: "\(workDirectory)/rtpengine.log")
    }

    static func spawnTandemRelay(ngPort: UInt16, workDirectory: String) throws -> InteropChildProcess {
        let binary = "\(packageRoot)/.build/debug/tandem"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw LaunchError(description: "\(binary) not found: run `swift build` first " +
                              "(or set TANDEM_INTEROP_RELAY=rtpengine / RELAY_NG=host:port)")
        }
        // `tandem relay --help` exits 0 even without a relay subcommand (ArgumentParser prints the root help), so
        // look for `relay` in the root help's subcommand list instead.
        let probe = try InteropChildProcess(name: "tandem --help", executable: binary, arguments: ["--help"],
                                            logPath: "\(workDirectory)/tandem-help.log")
        _ = probe.waitForExit(seconds: 10)
        probe.stop()
        let help = (try? String(contentsOfFile: probe.logPath, encoding: .utf8)) ?? ""
        let hasRelay = help.split(separator: "\n").contains { $0.split(separator: " ").first == "relay" }
        guard hasRelay else {
            throw LaunchError(description: "`tandem relay` is not available in \(binary) (the relay branch is not " +
                              "merged yet?). Set TANDEM_INTEROP_RELAY=rtpengine or RELAY_NG=host:port to run this " +
                              "test against another ng relay.")
        }
        return try InteropChildProcess(
            name: "tandem relay", executable: binary,
            arguments: ["relay", "--interface", "127.0.0.1", "--listen-ng", "127.0.0.1:\(ngPort)",
                        "--port-min", "36000", "--port-max", "36999", "--kernel", "off"],
            logPath: "\(workDirectory)/tandem-relay.log")
    }
}

/// SIPp UAC → Kamailio (rtpengine module: offer/answer/delete over ng) → SIPp UAS, with the ng relay under test
/// in the media path; the test itself is both media endpoints and checks that RTP crosses the relay both ways.
///
/// Why the test owns the media sockets instead of SIPp's pcap play and RTP echo: it can then assert exactly what
/// arrived where (every packet counted, in both directions), independent of any relay's statistics format.
@Suite struct KamailioInteropTests {
    static let toolsPresent = FileManager.default.isExecutableFile(atPath: "/usr/sbin/kamailio")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/sipp")

    @Test(.timeLimit(.minutes(2)))
    func callThroughKamailioCarriesMediaBothWays() throws {
        try #require(Self.toolsPresent, "kamailio and sipp are needed: run scripts/install-deps.sh")
        let work = "/tmp/tandem-interop-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        var children: [InteropChildProcess] = []
        defer { for child in children.reversed() { child.stop() } }

        let relay: InteropRelay
        do { relay = try InteropRelay.start(workDirectory: work) } catch {
            Issue.record("\(error)")
            return
        }
        if let p = relay.process { children.append(p) }

        let root = InteropRelay.packageRoot
        let proxyPort = InteropNet.freeUDPPort(), uasPort = InteropNet.freeUDPPort(), uacPort = InteropNet.freeUDPPort()
        let mediaA = try DataPlaneTestClient("127.0.0.1"), mediaB = try DataPlaneTestClient("127.0.0.1")

        let kamailio = try InteropChildProcess(
            name: "kamailio", executable: "/usr/sbin/kamailio",
            arguments: ["-f", "\(root)/perf/kamailio/kamailio-rtpengine.cfg", "-DD", "-E", "-Y", work, "-w", work,
                        "-A", "NG_SOCK=\"udp:\(relay.host):\(relay.ngPort)\"",
                        "-A", "LISTEN_ADDR=udp:127.0.0.1:\(proxyPort)",
                        "-A", "UAS_URI=\"sip:127.0.0.1:\(uasPort)\""],
            logPath: "\(work)/kamailio.log")
        children.append(kamailio)
        try #require(InteropNet.waitUntilBound(proxyPort, seconds: 10), "kamailio did not bind; log:\n\(kamailio.logTail())")

        let uas = try InteropChildProcess(
            name: "sipp uas", executable: "/usr/bin/sipp",
            arguments: ["-sf", "\(root)/perf/sip/uas-media-probe.xml", "-i", "127.0.0.1", "-p", "\(uasPort)",
                        "-m", "1", "-nostdin", "-trace_logs", "-log_file", "\(work)/uas-media.log",
                        "-key", "media_port_b", "\(mediaB.endpoint.port)", "-timeout", "40s", "-timeout_error"],
            logPath: "\(work)/sipp-uas.out")
        children.append(uas)
        try #require(InteropNet.waitUntilBound(uasPort, seconds: 10), "SIPp UAS did not bind; log:\n\(uas.logTail())")

        let uac = try InteropChildProcess(
            name: "sipp uac", executable: "/usr/bin/sipp",
            arguments: ["-sf", "\(root)/perf/sip/uac-media-probe.xml", "127.0.0.1:\(proxyPort)",
                        "-i", "127.0.0.1", "-p", "\(uacPort)", "-m", "1", "-l", "1", "-nostdin",
                        "-trace_logs", "-log_file", "\(work)/uac-media.log",
                        "-key", "media_port_a", "\(mediaA.endpoint.port)", "-d", "4000",
                        "-timeout", "40s", "-timeout_error"],
            logPath: "\(work)/sipp-uac.out")
        children.append(uac)

        // The relay's addresses, as each side learned them from its rewritten SDP.
        let towardB = Self.waitForMediaLine("MEDIA-A", in: "\(work)/uac-media.log", seconds: 10)
        let towardA = Self.waitForMediaLine("MEDIA-B", in: "\(work)/uas-media.log", seconds: 10)
        guard let towardB, let towardA else {
            let seen = "uac: \(String(describing: towardB)), uas: \(String(describing: towardA))"
            Issue.record(Comment(rawValue: "no rewritten SDP seen (\(seen))\nkamailio:\n\(kamailio.logTail())\n" +
                                 "uac:\n\(uac.logTail())\nuas:\n\(uas.logTail())"))
            return
        }
        // The SDP each side saw must point at the relay, not at the other side's own media port.
        #expect(towardB.port != mediaB.endpoint.port, "UAC saw the UAS's own port: SDP not rewritten")
        #expect(towardA.port != mediaA.endpoint.port, "UAS saw the UAC's own port: SDP not rewritten")

        // Media both ways through the relay: A sends to the port from the 200 OK, B to the port from the INVITE.
        let aToB = Self.exchange(from: mediaA, to: towardB, expectAt: mediaB, marker: 0xA0, count: 50)
        let bToA = Self.exchange(from: mediaB, to: towardA, expectAt: mediaA, marker: 0xB0, count: 50)
        #expect(aToB >= 45, "A→B: only \(aToB)/50 RTP packets crossed the relay")
        #expect(bToA >= 45, "B→A: only \(bToA)/50 RTP packets crossed the relay")

        // The call ends with BYE/200 (rtpengine_delete on the way) and SIPp counts it as successful.
        let uacStatus = uac.waitForExit(seconds: 20)
        #expect(uacStatus == 0, "SIPp UAC exit status \(String(describing: uacStatus)); log:\n\(uac.logTail())")
        let uasStatus = uas.waitForExit(seconds: 10)
        #expect(uasStatus == 0, "SIPp UAS exit status \(String(describing: uasStatus)); log:\n\(uas.logTail())")
    }

    /// Reads `<tag> <ip> <port>` from a SIPp <log> file, polling up to `seconds`.
    static func waitForMediaLine(_ tag: String, in path: String, seconds: Double) -> SocketEndpoint? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8) {
                for line in text.split(separator: "\n") where line.hasPrefix(tag + " ") {
                    let parts = line.split(separator: " ")
                    if parts.count >= 3, let port = UInt16(parts[2]), let ep = SocketEndpoint(address: String(parts[1]), port: port) {
                        return ep
                    }
                }
            }
            usleep(100_000)
        }
        return nil
    }

    /// Sends `count` RTP packets (PCMA, 20 ms) carrying `marker` and counts how many arrive at `receiver` intact.
    static func exchange(from sender: DataPlaneTestClient, to relay: SocketEndpoint, expectAt receiver: DataPlaneTestClient,
                         marker: UInt8, count: Int) -> Int {
        var received = 0
        for i in 0..<count {
            var packet: [UInt8] = [0x80, 0x08, 0, UInt8(i), 0, 0, UInt8(i >> 8), UInt8(i & 0xFF), marker, 0, 0, 1]
            packet += [marker, UInt8(i)] + Array(repeating: 0xD5, count: 158)
            sender.send(packet, to: relay)
            usleep(2_000)
            while let got = receiver.receiveNow() {
                if got.payload.count == packet.count, got.payload[12] == marker { received += 1 }
            }
        }
        while let got = receiver.receive(timeoutMs: 300) {
            if got.payload.count == 172, got.payload[12] == marker { received += 1 }
        }
        return received
    }
}
