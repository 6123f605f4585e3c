import Foundation

/// Everything that can go wrong while building or tearing down a lab, worded so that a failing test says what to fix.
public enum NetworkLabError: Error, CustomStringConvertible, Sendable {
    /// The machine cannot host a lab (not root, tools missing, namespaces not creatable).
    case requirementsNotMet(String)
    case missingTool(String, package: String)
    /// A name (namespace role, interface) is malformed or too long.
    case invalidName(String, reason: String)
    /// An address outside the lab's private ranges, or not an address at all.
    case invalidAddress(String, reason: String)
    case spawnFailed([String], errno: Int32)
    case commandFailed(CommandResult)
    case commandTimedOut([String], timeout: Duration)
    case systemCall(String, errno: Int32)
    /// The lab has already been shut down.
    case shutDown

    public var description: String {
        switch self {
        case .requirementsNotMet(let why):
            return "network lab unavailable: \(why)"
        case .missingTool(let tool, let package):
            return "network lab needs `\(tool)` (Debian package \(package)); install it with apt-get install -y \(package)"
        case .invalidName(let name, let reason):
            return "invalid lab name '\(name)': \(reason)"
        case .invalidAddress(let address, let reason):
            return "invalid lab address '\(address)': \(reason)"
        case .spawnFailed(let argv, let code):
            return "could not start \(argv.joined(separator: " ")): \(String(cString: strerror(code)))"
        case .commandFailed(let result):
            return "command failed (\(result.exit)): \(result.argv.joined(separator: " "))\nstdout: \(result.stdout)\nstderr: \(result.stderr)"
        case .commandTimedOut(let argv, let timeout):
            return "command did not finish within \(timeout): \(argv.joined(separator: " "))"
        case .systemCall(let call, let code):
            return "\(call) failed: \(String(cString: strerror(code)))"
        case .shutDown:
            return "the network lab has already been shut down"
        }
    }
}
