/// The current state of one resource for one package, as the notifier sends it. Dialog state is
/// kept as a model because its document carries a per-subscription `version` (RFC 4235 §4.1),
/// so it is rendered per NOTIFY; other packages are finished documents.
public enum EventContent: Sendable, Hashable {
    case document(contentType: String, body: [UInt8])
    case dialogInfo(DialogInfoDocument)

    /// The state a resource nobody has published anything for has: a closed PIDF without tuples,
    /// an empty dialog-info (idle lamp), an empty message summary.
    public static func empty(_ package: SIPEventPackage, entity: AddressOfRecord) -> EventContent {
        switch package {
        case .presence:
            let closed = PIDFDocument(entity: entity.description, tuples: [PIDFTuple(id: "offline", basic: .closed)])
            return .document(contentType: package.contentType, body: closed.xml())
        case .dialog:
            return .dialogInfo(DialogInfoDocument(entity: entity, dialogs: []))
        case .messageSummary:
            return .document(contentType: package.contentType, body: Array("Messages-Waiting: no\r\n".utf8))
        }
    }

    /// Content-Type and body for the `version`-th NOTIFY of a subscription.
    func rendered(version: Int) -> (contentType: String, body: [UInt8]) {
        switch self {
        case .document(let type, let body): return (type, body)
        case .dialogInfo(let doc): return (SIPEventPackage.dialog.contentType, doc.xml(version: version))
        }
    }

    /// Whether sending `self` instead of a still queued `older` loses nothing that matters.
    /// Documents always coalesce; for dialog state see `DialogInfoDocument.subsumes`.
    func subsumes(_ older: EventContent) -> Bool {
        switch (self, older) {
        case (.dialogInfo(let new), .dialogInfo(let old)): return new.subsumes(old)
        default: return true
        }
    }
}
