/// RFC 4235 dialog states, ordered by how far a dialog got. A dialog only moves forward
/// (`DialogStateTracker` ignores a late `early` after `confirmed` or `terminated`).
public enum DialogState: Int, Sendable, Hashable, Comparable, CustomStringConvertible {
    case trying = 0, proceeding, early, confirmed, terminated

    public static func < (a: DialogState, b: DialogState) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .trying: return "trying"
        case .proceeding: return "proceeding"
        case .early: return "early"
        case .confirmed: return "confirmed"
        case .terminated: return "terminated"
        }
    }

    /// How busy this makes the entity (the lamp): confirmed > early > trying/proceeding > terminated.
    var activity: Int {
        switch self {
        case .confirmed: return 3
        case .early: return 2
        case .trying, .proceeding: return 1
        case .terminated: return 0
        }
    }
}

public enum DialogDirection: String, Sendable, Hashable {
    case initiator, recipient
}

/// One `<dialog>` element, seen from the entity whose document it is in (local = that entity).
public struct DialogInfoEntry: Sendable, Hashable {
    public var id: String
    public var callID: String
    public var localTag: String?
    public var remoteTag: String?
    public var direction: DialogDirection
    public var state: DialogState
    public var localIdentity: String
    public var remoteIdentity: String
}

/// A full-state dialog-info document (RFC 4235 §4) for one entity. `version` is per subscription
/// and is given when rendering.
public struct DialogInfoDocument: Sendable, Hashable {
    public var entity: AddressOfRecord
    public var dialogs: [DialogInfoEntry]

    public init(entity: AddressOfRecord, dialogs: [DialogInfoEntry]) {
        self.entity = entity
        self.dialogs = dialogs
    }

    /// The entity's state: the most active of its dialogs (nil when idle).
    public var entityState: DialogState? {
        dialogs.max { $0.state.activity < $1.state.activity }?.state
    }

    public func xml(version: Int) -> [UInt8] {
        let e = XMLLiteTokenizer.escape
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" version=\"\(version)\" state=\"full\""
        s += " entity=\"\(e(entity.description))\">\n"
        for d in dialogs {
            s += "  <dialog id=\"\(e(d.id))\" call-id=\"\(e(d.callID))\""
            if let t = d.localTag { s += " local-tag=\"\(e(t))\"" }
            if let t = d.remoteTag { s += " remote-tag=\"\(e(t))\"" }
            s += " direction=\"\(d.direction.rawValue)\">"
            s += "<state>\(d.state)</state>"
            s += "<local><identity>\(e(d.localIdentity))</identity></local>"
            s += "<remote><identity>\(e(d.remoteIdentity))</identity></remote>"
            s += "</dialog>\n"
        }
        s += "</dialog-info>\n"
        return Array(s.utf8)
    }

    /// Whether this newer document may replace `older` in a NOTIFY queue without a watcher missing
    /// a transition: every call of `older` must still be in this one with a dialog in the same or
    /// a later state. Calls are compared by Call-ID, because the tag-less `trying` dialog becomes a
    /// tagged one and losing fork branches disappear without mattering. So trying→early→terminated
    /// of one call coalesces into "terminated" (the lamp goes off visibly), but a document in which
    /// a call has already vanished never swallows the one that still shows it.
    public func subsumes(_ older: DialogInfoDocument) -> Bool {
        older.dialogs.allSatisfy { old in
            dialogs.contains { $0.callID == old.callID && $0.state >= old.state }
        }
    }
}
