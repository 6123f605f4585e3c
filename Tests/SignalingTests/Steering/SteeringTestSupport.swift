import Foundation
import Relay
#if canImport(Glibc)
import Glibc
#endif

/// A child process on the host (loopback tests): output to a log file, SIGTERM then SIGKILL on `stop`.
final class SteeringChildProcess: @unchecked Sendable {
    let name: String
    let process = Process()
    let logPath: String

    init(name: String, executable: String, arguments: [String], logPath: String) throws {
        self.name = name
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Exit status, or nil if still running after `seconds`.
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        _ = waitForExit(seconds: 2)
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        if waitForExit(seconds: 2) == nil { kill() }
    }

    func logTail(_ count: Int = 3000) -> String {
        String(((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").suffix(count))
    }
}

enum SteeringLab {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static var tandemBinary: String { "\(root)/.build/debug/tandem" }
    static func fixture(_ name: String) -> String { "\(root)/Tests/SignalingTests/Fixtures/sipp/\(name)" }

    static func workDirectory() -> String {
        let path = "/tmp/tandem-steer-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A free UDP port on 127.0.0.1 (bound and released; good enough for tests that start right away).
    static func freeUDPPort() -> Int {
        guard let socket = try? TestUDPClient() else { return 0 }
        return socket.port
    }

    /// `tandem relay` (the built binary) on loopback, userspace forwarding.
    static func startTandemRelay(ngPort: Int, portMin: Int, work: String) throws -> SteeringChildProcess {
        try SteeringChildProcess(
            name: "tandem relay", executable: tandemBinary,
            arguments: ["relay", "--interface", "127.0.0.1", "--listen-ng", "127.0.0.1:\(ngPort)",
                        "--port-min", "\(portMin)", "--port-max", "\(portMin + 999)", "--kernel", "off",
                        "--listen-metrics", ""],
            logPath: "\(work)/tandem-relay-\(ngPort).log")
    }

    /// Debian's rtpengine in userspace (`--table=-1`), like perf/bench-relay.sh and the Kamailio interop test.
    static func startRTPEngine(ngPort: Int, portMin: Int, work: String) throws -> SteeringChildProcess {
        try SteeringChildProcess(
            name: "rtpengine", executable: "/usr/bin/rtpengine",
            arguments: ["--config-file=none", "--foreground", "--table=-1", "--interface=127.0.0.1",
                        "--listen-ng=127.0.0.1:\(ngPort)", "--port-min=\(portMin)", "--port-max=\(portMin + 999)",
                        "--num-threads=1", "--delete-delay=0", "--log-stderr", "--log-level=6",
                        "--pidfile=\(work)/rtpengine-\(ngPort).pid"],
            logPath: "\(work)/rtpengine-\(ngPort).log")
    }

    /// Sends ng pings until a pong comes back (the relay is up) or `seconds` pass.
    static func waitForPong(ngPort: Int, seconds: Double) -> Bool {
        guard let socket = try? TestUDPClient() else { return false }
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            socket.send(Array("probe d7:command4:pinge".utf8), toPort: ngPort)
            if let (bytes, _) = socket.receive(milliseconds: 200), text(bytes).contains("pong") { return true }
        }
        return false
    }

    /// Every `<tag> <ip> <port>` line of a SIPp <log> file.
    static func mediaLines(_ tag: String, in path: String) -> [(host: String, port: Int)] {
        guard let content = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return content.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard line.hasPrefix(tag + " "), parts.count >= 3, let port = Int(parts[2]) else { return nil }
            return (String(parts[1]), port)
        }
    }

    /// Reads `<tag> <ip> <port>` from a SIPp <log> file, polling up to `seconds`.
    static func waitForMediaLine(_ tag: String, in path: String, seconds: Double) -> (host: String, port: Int)? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let content = try? String(contentsOfFile: path, encoding: .utf8) {
                for line in content.split(separator: "\n") where line.hasPrefix(tag + " ") {
                    let parts = line.split(separator: " ")
                    if parts.count >= 3, let port = Int(parts[2]) { return (String(parts[1]), port) }
                }
            }
            usleep(100_000)
        }
        return nil
    }

    /// Sends `count` RTP packets carrying `marker` from `sender` to `port` and counts those that reach `receiver`.
    static func exchangeRTP(from sender: TestUDPClient, toPort port: Int, expectAt receiver: TestUDPClient, marker: UInt8,
                            count: Int) -> Int
    {
        var received = 0
        func drain(_ milliseconds: Int32) {
            while let (bytes, _) = receiver.receive(milliseconds: milliseconds) {
                if bytes.count == 172, bytes[12] == marker { received += 1 }
            }
        }
        for i in 0..<count {
            var packet: [UInt8] = [0x80, 0x08, 0, UInt8(i), 0, 0, UInt8(i >> 8), UInt8(i & 0xFF), marker, 0, 0, 1]
            packet += [marker, UInt8(i)] + Array(repeating: 0xD5, count: 158)
            sender.send(packet, toPort: port)
            usleep(2_000)
            drain(1)
        }
        drain(300)
        return received
    }
}
