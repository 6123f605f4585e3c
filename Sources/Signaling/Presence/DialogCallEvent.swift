/// What the proxy saw of a call, as input to the `DialogStateTracker`. Tags identify the dialog
/// (RFC 3261 §12): the caller's From tag, and one To tag per answering branch (forking makes
/// several early dialogs of one INVITE).
public enum DialogCallEvent: Sendable, Hashable {
    /// An INVITE passed (either direction: sent to a user or received from one). `sides` says
    /// whose lamps this leg drives: at an edge in front of a B2BUA farm, the leg from a phone
    /// drives only the caller's (the farm's leg towards the callee drives the callee's), so
    /// nobody shows each call twice.
    case invite(callID: String, fromTag: String, caller: AddressOfRecord, callee: AddressOfRecord, sides: DialogSides = .both)
    /// A response to that INVITE from one branch (`toTag` nil for a tag-less 100).
    case response(callID: String, toTag: String?, status: Int)
    /// The caller CANCELled: every dialog not yet confirmed ends.
    case cancel(callID: String)
    /// A BYE ended the call (all its dialogs).
    case bye(callID: String)
}

/// A new dialog-info state for one AOR; feed it to `SubscriptionTable.stateChanged(_:package:.dialog,...)`.
public struct DialogInfoUpdate: Sendable, Hashable {
    public var aor: AddressOfRecord
    public var document: DialogInfoDocument
}

/// Which ends of a call leg the tracker shows the call for.
public struct DialogSides: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The caller's document (direction initiator).
    public static let initiator = DialogSides(rawValue: 1)
    /// The callee's document (direction recipient).
    public static let recipient = DialogSides(rawValue: 2)
    public static let both: DialogSides = [.initiator, .recipient]
}
