/// How a child process ended.
public enum ProcessExit: Sendable, Equatable, CustomStringConvertible {
    /// Normal exit with this status code.
    case exited(Int32)
    /// Killed by this signal number.
    case signaled(Int32)
    /// Reaped by someone else in this process (a stray `waitpid(-1)`), so the status is not known.
    case unknown

    /// True only for `exited(0)`.
    public var succeeded: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): return "exit \(code)"
        case .signaled(let signal): return "signal \(signal)"
        case .unknown: return "unknown exit"
        }
    }

    /// Decodes a `waitpid` status word (the C macros `WIFEXITED` and friends are not imported into Swift).
    init(waitStatus status: Int32) {
        let low = status & 0x7f
        if low == 0 {
            self = .exited((status >> 8) & 0xff)
        } else {
            self = .signaled(low)
        }
    }
}

/// The outcome of a synchronous command: its argv, how it ended and what it printed.
public struct CommandResult: Sendable, CustomStringConvertible {
    public let argv: [String]
    public let exit: ProcessExit
    public let stdout: String
    public let stderr: String

    /// Returns `self` when the command exited 0, else throws `NetworkLabError.commandFailed` carrying the output,
    /// so a failing setup step shows what the tool complained about.
    @discardableResult
    public func checked() throws -> CommandResult {
        guard exit.succeeded else { throw NetworkLabError.commandFailed(self) }
        return self
    }

    public var description: String { "\(argv.joined(separator: " ")) -> \(exit)" }
}
