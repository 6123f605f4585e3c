import Foundation
import Glibc
@testable import Perf
import TestSupport

/// A real ng relay for the integration tests: `.build/debug/tandem relay` or Debian's rtpengine in userspace
/// (`--table=-1`), on free ports, spawned in its own process group and always stopped by the test (`defer`).
final class RelayUnderTest {
    enum Kind: String {
        case tandem
        case rtpengine
    }

    let kind: Kind
    let pid: pid_t
    let ng: IPv4Endpoint
    let logPath: String

    struct LaunchError: Error, CustomStringConvertible {
        var description: String
    }

    static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// Starts the relay with media ports `portMin...portMin+1999` and waits for its ng pong (10 s at most).
    init(_ kind: Kind, portMin: Int) throws {
        self.kind = kind
        let ngPort = Int(RelayUnderTest.freeUDPPort())
        ng = IPv4Endpoint(host: "127.0.0.1", port: ngPort)!
        logPath = NSTemporaryDirectory() + "perf-it-\(kind.rawValue)-\(getpid())-\(ngPort).log"
        let executable: String, arguments: [String]
        switch kind {
        case .tandem:
            executable = "\(RelayUnderTest.packageRoot)/.build/debug/tandem"
            arguments = ["relay", "--interface", "127.0.0.1", "--listen-ng", "127.0.0.1:\(ngPort)", "--port-min", "\(portMin)",
                         "--port-max", "\(portMin + 1999)", "--kernel", "off", "--delete-delay", "0", "--listen-metrics", "",
                         "--num-threads", "1"]
        case .rtpengine:
            executable = "/usr/bin/rtpengine"
            arguments = ["--config-file=none", "--foreground", "--table=-1", "--interface=127.0.0.1",
                         "--listen-ng=127.0.0.1:\(ngPort)", "--port-min=\(portMin)", "--port-max=\(portMin + 1999)",
                         "--num-threads=2", "--delete-delay=0", "--log-stderr", "--log-level=4",
                         "--pidfile=\(NSTemporaryDirectory())perf-it-rtpengine-\(ngPort).pid"]
        }
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw LaunchError(description: "\(executable) missing (swift build / scripts/install-deps.sh installs rtpengine-daemon)")
        }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)  // truncate: the spawner appends
        do {
            pid = try ChildSpawner.spawn([executable] + arguments, stdoutPath: logPath, stderrPath: logPath)
        } catch {
            throw LaunchError(description: "\(executable): \(error)")
        }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if NGPing.pong(ng) { return }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { break }
            usleep(100_000)
        }
        stop()
        throw LaunchError(description: "\(kind.rawValue) did not answer ng ping: \(logTail())")
    }

    /// SIGTERM to the group, then SIGKILL after 3 s; reaps the child.
    func stop() {
        kill(-pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<30 {
            if waitpid(pid, &status, WNOHANG) != 0 { break }
            usleep(100_000)
        }
        kill(-pid, SIGKILL)
        _ = waitpid(pid, &status, WNOHANG)
    }

    func logTail() -> String {
        String(((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").suffix(1500))
    }

    static func freeUDPPort() -> UInt16 {
        guard let s = try? NonBlockingUDPSocket(bindingTo: IPv4Endpoint(host: "127.0.0.1", port: 0)!) else { return 2299 }
        return UInt16(s.local.port)
    }
}
