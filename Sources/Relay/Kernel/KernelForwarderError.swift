import CShims
import Glibc

/// Why the kernel path refused an operation. Every case says enough for one log line, and
/// `isEnvironmentProblem` tells the relay whether falling back to userspace is the right reaction.
public enum KernelForwarderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kernel answered EPERM/EACCES: the process lacks CAP_NET_ADMIN in the relay's network namespace.
    case missingCapability(operation: String)
    /// nf_tables, a needed expression (payload with checksum update, lookup, notrack, counter) or a set type is
    /// not available: EOPNOTSUPP, EAFNOSUPPORT, EPROTONOSUPPORT, or ENOENT while creating the table.
    case unsupported(operation: String, errno: Int32)
    /// Any other netlink failure.
    case netlink(operation: String, errno: Int32)
    /// `adoptExisting()` found no table of that name.
    case tableMissing(String)
    /// The existing table does not look like one this configuration created (a mark outside the mask, a leg whose
    /// rewrite is incomplete).
    case adoptionMismatch(String)
    /// A configuration value is unusable (table name, mark mask).
    case invalidConfiguration(String)
    /// An entry the kernel path cannot express (IPv6, port 0, mixed families).
    case invalidEntry(String)
    /// Every mark value in the mask is in use.
    case marksExhausted(capacity: Int)

    /// True when the environment (privileges, kernel features) rather than the relay's input is the cause.
    public var isEnvironmentProblem: Bool {
        switch self {
        case .missingCapability, .unsupported: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .missingCapability(let operation):
            "\(operation): permission denied by nf_tables (needs CAP_NET_ADMIN in the relay's network namespace)"
        case .unsupported(let operation, let code):
            "\(operation): nf_tables or a needed expression is not available (\(KernelForwarderError.name(code)))"
        case .netlink(let operation, let code):
            "\(operation): netlink error \(KernelForwarderError.name(code))"
        case .tableMissing(let table):
            "no nftables table 'ip \(table)' to adopt"
        case .adoptionMismatch(let detail):
            "existing table cannot be adopted: \(detail)"
        case .invalidConfiguration(let detail):
            "invalid kernel offload configuration: \(detail)"
        case .invalidEntry(let detail):
            "entry cannot be offloaded: \(detail)"
        case .marksExhausted(let capacity):
            "all \(capacity) marks of the mark range are in use"
        }
    }

    /// Classifies a negative errno from the C layer.
    static func from(_ code: Int32, operation: String, creating: Bool = false) -> KernelForwarderError {
        let positive = code < 0 ? -code : code
        switch positive {
        case EPERM, EACCES: return .missingCapability(operation: operation)
        case EOPNOTSUPP, EAFNOSUPPORT, EPROTONOSUPPORT: return .unsupported(operation: operation, errno: positive)
        case ENOENT where creating: return .unsupported(operation: operation, errno: positive)
        default: return .netlink(operation: operation, errno: positive)
        }
    }

    static func name(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: text)) (errno \(code))"
    }
}
