/// Why a session operation failed. `reason` is rtpengine's `error-reason` text, so ng clients that match on it
/// keep working.
public enum SessionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `answer` (or another command that needs a call) named a call-id the relay does not know.
    case unknownCallID
    /// The tags of an `answer` cannot be matched to the call's monologues.
    case invalidDialogueAssociation
    /// No port pair left on an interface; nothing was allocated.
    case ranOutOfPorts(interface: String)
    /// `direction` named an interface that is not configured.
    case unknownInterface(String)
    /// `delete` (or `query`) found no call, or no monologue with the given tags.
    case callNotFoundOrTagsMismatch
    /// `list` with a limit below 1.
    case invalidLimit

    public var reason: String {
        switch self {
        case .unknownCallID: return "Unknown call-id"
        case .invalidDialogueAssociation: return "Invalid dialogue association"
        case .ranOutOfPorts: return "Ran out of ports"
        case .unknownInterface: return "Unknown network interface"
        case .callNotFoundOrTagsMismatch: return "Call-ID not found or tags didn't match"
        case .invalidLimit: return "invalid limit, must be >= 0"
        }
    }

    public var description: String {
        switch self {
        case .ranOutOfPorts(let interface): return "\(reason) on interface \(interface)"
        case .unknownInterface(let name): return "\(reason) '\(name)'"
        default: return reason
        }
    }
}
