/// One publisher's event state for a presentity (RFC 3903 §4): the document it published, the
/// entity-tag that names it and when it lapses.
public struct PresencePublication: Sendable, Hashable {
    public let presentity: AddressOfRecord
    public internal(set) var entityTag: String
    public internal(set) var document: PIDFDocument
    public internal(set) var expiresAt: SIPInstant
    /// Creation order, so composition is stable across refreshes.
    public let order: UInt64

    /// A publication as saved before a restart (the persistence layer rebuilds it).
    public init(presentity: AddressOfRecord, entityTag: String, document: PIDFDocument, expiresAt: SIPInstant, order: UInt64) {
        self.presentity = presentity
        self.entityTag = entityTag
        self.document = document
        self.expiresAt = expiresAt
        self.order = order
    }
}

/// What a PUBLISH did: the response, and the presentity whose composed state changed (feed
/// `SubscriptionTable.stateChanged` with `PresenceStore.content(for:)`); nil for a plain
/// refresh or an error.
public struct PresencePublishResult: Sendable {
    public var response: SIPMessage?
    public var changed: AddressOfRecord?
}

/// Limits of the `PresenceStore`.
public struct PresenceSettings: Sendable {
    public var minExpires: Int = 60
    public var maxExpires: Int = 3600
    public var defaultExpires: Int = 3600
    /// Publications one presentity may have at once (one per device is typical); more is 503.
    public var maxPublicationsPerPresentity: Int = 16
    /// Prefix of minted entity-tags (a counter follows).
    public var entityTagPrefix: String = "e"
    /// Only the presentity itself may publish for it (From AOR == Request-URI AOR).
    public var requireSelfPublish: Bool = true
    /// Reads a PUBLISH body; nil means malformed (400). The default is the Foundation-free
    /// `PIDFDocument.parse`; the daemon injects a libxml2-backed reader (`EdgePIDFReader`).
    public var readPIDF: @Sendable ([UInt8]) -> PIDFDocument? = { try? PIDFDocument.parse($0) }

    public init() {}
}
