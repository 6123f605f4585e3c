import Foundation

/// A background process running inside a lab namespace (a SIPp phone, a relay, a backend).
///
/// It leads its own process group, so signals go to everything it forked. Its stdout and stderr go to files in
/// the lab's work directory (read them with `standardOutput()` / `standardError()`, also after it ended). The lab
/// stops it on `shutdown()`, and the process-wide registry kills it if the test process is interrupted.
public final class LabProcess: @unchecked Sendable {
    /// Pid of the process, also its process group id.
    public let pid: pid_t
    /// The command as the test gave it (without the `ip netns exec` wrapper).
    public let argv: [String]
    public let namespace: LabNamespace
    public let stdoutPath: String
    public let stderrPath: String

    private let lock = NSLock()
    private var exitStatus: ProcessExit?

    init(pid: pid_t, argv: [String], namespace: LabNamespace, stdoutPath: String, stderrPath: String) {
        self.pid = pid
        self.argv = argv
        self.namespace = namespace
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
    }

    /// How the process ended, or nil while it runs. Reaps it when it has ended (and kills what is left of its group).
    public var exit: ProcessExit? {
        lock.lock()
        defer { lock.unlock() }
        return pollLocked()
    }

    public var isRunning: Bool { exit == nil }

    private func pollLocked() -> ProcessExit? {
        if let exitStatus { return exitStatus }
        if let ended = ChildSpawner.reapIfExited(pid) {
            exitStatus = ended
            LabRegistry.shared.unregister(processGroup: pid)
        }
        return exitStatus
    }

    /// Sends `signal` (e.g. SIGSTOP to freeze a phone, SIGCONT to resume it) to the whole process group.
    /// Does nothing once the process has been reaped, so a recycled pid is never signalled.
    public func signal(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        guard pollLocked() == nil else { return }
        _ = Glibc.kill(-pid, signal)
    }

    /// SIGTERM to the group.
    public func terminate() { signal(SIGTERM) }

    /// SIGKILL to the group.
    public func kill() { signal(SIGKILL) }

    /// Waits until the process ends or `timeout` passes; nil means it is still running.
    @discardableResult
    public func wait(timeout: Duration) -> ProcessExit? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var pause: UInt32 = 1_000
        while true {
            if let ended = exit { return ended }
            if clock.now >= deadline { return nil }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    /// Stops the process for good: SIGCONT (a stopped process cannot act on SIGTERM) and SIGTERM, then SIGKILL if
    /// it has not ended after `grace`.
    @discardableResult
    public func stop(grace: Duration = .milliseconds(500)) -> ProcessExit {
        signal(SIGCONT)
        terminate()
        if let ended = wait(timeout: grace) { return ended }
        kill()
        return wait(timeout: .seconds(5)) ?? .unknown
    }

    public func standardOutput() -> String { LabPaths.readText(stdoutPath) }
    public func standardError() -> String { LabPaths.readText(stderrPath) }

    /// Waits until `needle` appears in stdout or stderr (e.g. a server's "listening" line); false on timeout or
    /// when the process ends first without printing it.
    public func waitForOutput(containing needle: String, timeout: Duration) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            if standardOutput().contains(needle) || standardError().contains(needle) { return true }
            if exit != nil || clock.now >= deadline {
                return standardOutput().contains(needle) || standardError().contains(needle)
            }
            usleep(10_000)
        }
    }
}
