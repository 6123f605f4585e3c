/// The parameters of `query`: which call (and optionally which participants) to report on.
public struct NGQueryRequest: Sendable, Equatable {
    public var callID: String
    public var fromTag: String?
    public var toTag: String?

    public init(callID: String, fromTag: String? = nil, toTag: String? = nil) {
        self.callID = callID
        self.fromTag = fromTag
        self.toTag = toTag
    }

    init(_ f: NGRequestFields) throws(NGCommandError) {
        guard let callID = f.callID else { throw .missingCallID }
        self.init(callID: callID, fromTag: f.fromTag, toTag: f.toTag)
    }
}
