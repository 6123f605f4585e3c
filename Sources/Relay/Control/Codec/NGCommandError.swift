/// Why a decoded dictionary is not a usable command; `reason` is the `error-reason` text rtpengine uses.
public enum NGCommandError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingCommand
    case unrecognizedCommand([UInt8])
    case missingSDP
    case missingCallID
    case missingFromTag
    case missingToTag
    /// A known key whose value has the wrong shape (e.g. `received from` that is not a two-element list).
    case invalidValue(key: String)

    public var reason: String {
        switch self {
        case .missingCommand: return "Dictionary contains no key \"command\""
        case .unrecognizedCommand: return "Unrecognized command"
        case .missingSDP: return "No SDP body in message"
        case .missingCallID: return "No call-id in message"
        case .missingFromTag: return "No from-tag in message"
        case .missingToTag: return "No to-tag in message"
        case .invalidValue(let key): return "Invalid value for key '\(key)'"
        }
    }

    public var description: String { reason }
}
