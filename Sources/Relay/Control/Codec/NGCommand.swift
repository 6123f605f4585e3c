/// A control request mapped to Swift values: the commands Tandem's relay serves.
///
/// Built from a decoded dictionary (`NGMessage.dictionary`); every spelling rtpengine accepts for keys and flags
/// is folded here, so the relay core sees one form only.
public enum NGCommand: Sendable, Equatable {
    case ping
    case offer(NGOfferAnswerRequest)
    case answer(NGOfferAnswerRequest)
    case delete(NGDeleteRequest)
    case query(NGQueryRequest)
    case list(NGListRequest)
    case statistics

    /// Maps a request dictionary; throws with rtpengine's error reasons for missing required keys.
    public init(_ dictionary: NGDictionary) throws(NGCommandError) {
        let fields = try NGRequestFields(dictionary)
        guard let command = fields.command else { throw .missingCommand }
        // Command names are matched exactly, as rtpengine does.
        switch String(decoding: command, as: UTF8.self) {
        case "ping": self = .ping
        case "offer": self = .offer(try NGOfferAnswerRequest(fields, requireToTag: false))
        case "answer": self = .answer(try NGOfferAnswerRequest(fields, requireToTag: true))
        case "delete": self = .delete(try NGDeleteRequest(fields))
        case "query": self = .query(try NGQueryRequest(fields))
        case "list": self = .list(NGListRequest(fields))
        case "statistics": self = .statistics
        default: throw .unrecognizedCommand(command)
        }
    }

    /// The command's wire name.
    public var name: String {
        switch self {
        case .ping: return "ping"
        case .offer: return "offer"
        case .answer: return "answer"
        case .delete: return "delete"
        case .query: return "query"
        case .list: return "list"
        case .statistics: return "statistics"
        }
    }
}
