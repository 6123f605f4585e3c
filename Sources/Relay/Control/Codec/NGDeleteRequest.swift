/// The parameters of `delete`.
public struct NGDeleteRequest: Sendable, Equatable {
    public var callID: String
    /// Without a from-tag the whole call goes; with one, only that branch.
    public var fromTag: String?
    public var toTag: String?
    /// rtpengine only narrows the delete to `toTag` when the `to-tag` flag is present too.
    public var selectsToTag: Bool
    public var viaBranch: String?
    /// `fatal` flag: an unknown call is an error rather than an `ok` with a warning.
    public var isFatal: Bool
    /// Seconds to keep the call after delete (`delete-delay`); nil means the configured default.
    public var deleteDelay: Int?
    public var flags: Set<NGFlag>
    public var unknownFlags: [String]

    public init(callID: String, fromTag: String? = nil, toTag: String? = nil, selectsToTag: Bool = false,
                viaBranch: String? = nil, isFatal: Bool = false, deleteDelay: Int? = nil, flags: Set<NGFlag> = [],
                unknownFlags: [String] = []) {
        self.callID = callID
        self.fromTag = fromTag
        self.toTag = toTag
        self.selectsToTag = selectsToTag
        self.viaBranch = viaBranch
        self.isFatal = isFatal
        self.deleteDelay = deleteDelay
        self.flags = flags
        self.unknownFlags = unknownFlags
    }

    init(_ f: NGRequestFields) throws(NGCommandError) {
        guard let callID = f.callID else { throw .missingCallID }
        self.init(callID: callID, fromTag: f.fromTag, toTag: f.toTag, selectsToTag: f.flags.contains(.toTag),
                  viaBranch: f.viaBranch, isFatal: f.flags.contains(.fatal), deleteDelay: f.deleteDelay,
                  flags: f.flags, unknownFlags: f.unknownFlags)
    }
}
