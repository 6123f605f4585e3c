import Foundation

/// A `tandem relay` started by `perf tune` for one trial: launched with the operator's config file plus the
/// trial's settings as flags (flags override the file), pinned with taskset when asked, stopped with SIGTERM
/// (SIGKILL after 5 s) so its kernel table is removed the normal way.
public final class RelayProcess {
    public let process: Process
    public let logPath: String

    public struct LaunchError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// `arguments` follow `tandem relay`; `cpu` pins the relay with `taskset -c`.
    public init(tandem: String, arguments: [String], cpu: Int?, logPath: String) throws(LaunchError) {
        process = Process()
        if let cpu {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
            process.arguments = ["-c", String(cpu), tandem, "relay"] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: tandem)
            process.arguments = ["relay"] + arguments
        }
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let handle = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw LaunchError(description: "cannot start \(tandem): \(error)") }
    }

    public var pid: Int32 { process.processIdentifier }

    /// Waits until the relay answers an ng ping, it exits, or `seconds` pass.
    public func waitReady(ng: IPv4Endpoint, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, process.isRunning {
            if NGPing.pong(ng) { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<50 where process.isRunning { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The last lines of the relay's log (why it did not come up).
    public func logTail(lines: Int = 5) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: " | ")
    }
}
