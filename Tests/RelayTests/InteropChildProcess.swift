import Foundation
import Glibc
import Relay
import TestSupport

/// A child process of an integration test (relay, Kamailio, SIPp) with its output in a log file; stopped with
/// SIGTERM, then SIGKILL after a bounded wait. Tests call `stop()` in a `defer`, so no child outlives its test.
///
/// Spawned by `ChildSpawner` (posix_spawn) in its own process group and reaped with waitpid here: Foundation's `Process` did not
/// always notice a child's exit (it stayed a zombie while `isRunning` said true), and a group lets `stop()` reach
/// the workers a daemon forks (Kamailio's children) even when the main process exits first.
final class InteropChildProcess {
    let name: String
    let pid: pid_t
    let logPath: String
    private var exitStatus: Int32?

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    init(name: String, executable: String, arguments: [String], logPath: String) throws {
        self.name = name
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)  // truncate: the spawner appends
        do {
            pid = try ChildSpawner.spawn([executable] + arguments, stdoutPath: logPath, stderrPath: logPath)
        } catch {
            throw SpawnError(description: "\(name): \(error)")
        }
    }

    /// Reaps the child if it exited; true while it runs.
    var isRunning: Bool {
        if exitStatus != nil { return false }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid {
            // WIFEXITED: low 7 bits zero; then the exit code is bits 8...15. A signal death reads as 128 + signal.
            exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
            return false
        }
        if r < 0 { exitStatus = -1; return false }
        return true
    }

    /// Waits up to `seconds` for the child to exit by itself; its exit status, or nil if it is still running.
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning, Date() < deadline { usleep(50_000) }
        return isRunning ? nil : exitStatus
    }

    /// Signals the child's whole process group: SIGTERM, a bounded wait, then SIGKILL (also for stragglers).
    func stop() {
        if isRunning {
            kill(-pid, SIGTERM)
            if waitForExit(seconds: 3) == nil { kill(-pid, SIGKILL) }
            _ = waitForExit(seconds: 2)
        }
        usleep(100_000)
        kill(-pid, SIGKILL)  // forked workers whose parent already exited; ESRCH when none are left
    }

    func logTail(_ bytes: Int = 2000) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return String(text.suffix(bytes))
    }
}

/// Small helpers the interop test needs: free ports, "is someone bound here", ng ping.
enum InteropNet {
    /// A UDP port that was free a moment ago on 127.0.0.1 (the kernel's pick for port 0).
    static func freeUDPPort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Int32 in
                _ = bind(fd, p, len)
                return getsockname(fd, p, &len)
            }
        }
        return UInt16(bigEndian: sa.sin_port)
    }

    /// True when some process holds 127.0.0.1:port (UDP): binding it fails with EADDRINUSE.
    static func udpPortIsBound(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        sa.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return rc != 0 && errno == EADDRINUSE
    }

    static func waitUntilBound(_ port: UInt16, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if udpPortIsBound(port) { return true }
            usleep(50_000)
        }
        return false
    }

    /// One ng request; the reply dictionary, or nil after `timeoutMs`.
    static func ngRequest(_ dictionary: NGDictionary, host: String, port: UInt16, timeoutMs: Int32 = 1000) -> NGDictionary? {
        guard let client = try? DataPlaneTestClient("127.0.0.1"),
              let relay = SocketEndpoint(address: host, port: port) else { return nil }
        let cookie = Array("t\(UInt32.random(in: 0...UInt32.max))".utf8)
        client.send(NGMessage.encode(cookie: cookie, encoding: .bencode, dictionary: dictionary), to: relay)
        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
        while Date() < deadline {
            guard let reply = client.receive(timeoutMs: timeoutMs) else { return nil }
            if let message = try? NGMessage(decoding: reply.payload), message.cookie == cookie { return message.dictionary }
        }
        return nil
    }

    static func waitForNGPong(host: String, port: UInt16, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if ngRequest(["command": .text("ping")], host: host, port: port, timeoutMs: 300)?["result"]?.stringValue == "pong" {
                return true
            }
            usleep(100_000)
        }
        return false
    }
}
