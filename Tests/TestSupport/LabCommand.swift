import Foundation

/// Runs a command to completion with a timeout, capturing its output through temporary files.
///
/// Files rather than pipes: a pipe needs a reader thread or the child blocks once it fills 64 KiB, and the files
/// make a hung command's partial output available when it is killed.
enum LabCommand {
    private static let counter = LockedCounter()

    static func run(_ argv: [String], timeout: Duration = .seconds(10)) throws -> CommandResult {
        let directory = LabPaths.scratchDirectory
        try LabPaths.makeDirectory(directory)
        let stem = "\(directory)/cmd-\(getpid())-\(counter.next())"
        let outPath = stem + ".out"
        let errPath = stem + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        let pid = try ChildSpawner.spawn(argv, stdoutPath: outPath, stderrPath: errPath)
        LabRegistry.shared.register(processGroup: pid)
        defer { LabRegistry.shared.unregister(processGroup: pid) }
        guard let exit = ChildSpawner.wait(pid, timeout: timeout) else {
            _ = kill(-pid, SIGKILL)
            _ = ChildSpawner.wait(pid, timeout: .seconds(5))
            throw NetworkLabError.commandTimedOut(argv, timeout: timeout)
        }
        return CommandResult(argv: argv, exit: exit, stdout: LabPaths.readText(outPath), stderr: LabPaths.readText(errPath))
    }
}

/// A thread-safe, process-wide increasing counter (lab ids, scratch file names).
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
