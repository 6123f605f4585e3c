/// The event state compositor for `presence` (RFC 3903 PUBLISH, RFC 3856): keeps each
/// publisher's PIDF under its entity-tag and composes one document per presentity for watchers.
/// Sans-I/O with an injected clock; expiry runs in `advance(to:)`.
public struct PresenceStore: Sendable {
    public var settings: PresenceSettings
    var publications: [String: PresencePublication] = [:]
    var byPresentity: [AddressOfRecord: Set<String>] = [:]
    var counter: UInt64 = 0

    public init(settings: PresenceSettings = PresenceSettings()) {
        self.settings = settings
    }

    public func publications(of presentity: AddressOfRecord) -> [PresencePublication] {
        (byPresentity[presentity] ?? []).compactMap { publications[$0] }.sorted { $0.order < $1.order }
    }

    /// The composed document watchers see. Nothing published (never, or every publication
    /// lapsed) is one `closed` tuple: watchers show "offline" rather than "unknown".
    public func document(for presentity: AddressOfRecord) -> PIDFDocument {
        var doc = PIDFDocument.composed(entity: presentity.description, publications(of: presentity).map(\.document))
        if doc.tuples.isEmpty { doc.tuples = [PIDFTuple(id: "offline", basic: .closed)] }
        return doc
    }

    /// The composed state as NOTIFY content.
    public func content(for presentity: AddressOfRecord) -> EventContent {
        .document(contentType: SIPEventPackage.presence.contentType, body: document(for: presentity).xml())
    }

    /// Handles one PUBLISH: create (no SIP-If-Match, body), refresh (If-Match, no body), modify
    /// (If-Match, body) or remove (If-Match, Expires 0). Every success mints a new entity-tag.
    public mutating func receivePublish(_ request: SIPMessage, now: SIPInstant) -> PresencePublishResult {
        guard request.method == .publish else { return fail(request, 405, "Method Not Allowed") }
        guard let event = request.values(.event).first, SIPEventPackage(eventHeader: event) == .presence else {
            return fail(request, 489, "Bad Event", extra: [("Allow-Events", "presence")])
        }
        guard let presentity = (try? request.requestURI).flatMap(AddressOfRecord.init(uri:)) else {
            return fail(request, 404, "Not Found")
        }
        if settings.requireSelfPublish {
            guard let from = try? request.from, AddressOfRecord(uri: from.uri) == presentity else {
                return fail(request, 403, "Forbidden")
            }
        }
        var expires = settings.defaultExpires
        if let asked = try? request.expires { expires = asked }
        if expires > 0 && expires < settings.minExpires {
            return fail(request, 423, "Interval Too Brief", extra: [("Min-Expires", "\(settings.minExpires)")])
        }
        expires = min(expires, settings.maxExpires)
        let hasBody = !request.body.isEmpty
        var document: PIDFDocument?
        if hasBody {
            guard let type = try? request.contentType, type.matches("application", "pidf+xml") else {
                return fail(request, 415, "Unsupported Media Type", extra: [("Accept", "application/pidf+xml")])
            }
            guard let parsed = settings.readPIDF(Array(request.body)) else { return fail(request, 400, "Bad PIDF") }
            document = parsed
        }
        let expiresAt = now + Int64(expires) * 1000

        guard let ifMatch = request.values(named: "SIP-If-Match").first?.trimmingSpaces() else {
            guard let document, expires > 0 else { return fail(request, 400, "Missing Body") }
            guard (byPresentity[presentity]?.count ?? 0) < settings.maxPublicationsPerPresentity else {
                return fail(request, 503, "Too Many Publications", extra: [("Retry-After", "60")])
            }
            counter += 1
            let tag = mintTag()
            publications[tag] = PresencePublication(presentity: presentity, entityTag: tag, document: document,
                                                    expiresAt: expiresAt, order: counter)
            byPresentity[presentity, default: []].insert(tag)
            return ok(request, tag: tag, expires: expires, changed: presentity)
        }
        guard var publication = publications[ifMatch], publication.presentity == presentity else {
            return fail(request, 412, "Conditional Request Failed")
        }
        removeTag(ifMatch)
        if expires == 0 {
            return PresencePublishResult(response: response(request, 200, "OK", extra: [("Expires", "0")]), changed: presentity)
        }
        let tag = mintTag()
        publication.entityTag = tag
        publication.expiresAt = expiresAt
        var changed: AddressOfRecord?
        if let document, document != publication.document {
            publication.document = document
            changed = presentity
        }
        publications[tag] = publication
        byPresentity[presentity, default: []].insert(tag)
        return ok(request, tag: tag, expires: expires, changed: changed)
    }

    /// Drops lapsed publications; returns the presentities whose composed state changed.
    public mutating func advance(to now: SIPInstant) -> [AddressOfRecord] {
        var changed: Set<AddressOfRecord> = []
        for (tag, publication) in publications where publication.expiresAt <= now {
            removeTag(tag)
            changed.insert(publication.presentity)
        }
        return changed.sorted()
    }

    public var nextDeadline: SIPInstant? { publications.values.map(\.expiresAt).min() }

    /// Every presentity with at least one publication.
    public var presentities: [AddressOfRecord] { byPresentity.keys.sorted() }

    /// Puts back publications saved before a restart (lapsed ones skipped). The entity-tag counter
    /// continues after every restored tag and order, so a new tag never names an old publication.
    public mutating func restore(_ saved: [PresencePublication], now: SIPInstant) {
        for publication in saved where publication.expiresAt > now {
            publications[publication.entityTag] = publication
            byPresentity[publication.presentity, default: []].insert(publication.entityTag)
            counter = max(counter, publication.order)
            if publication.entityTag.hasPrefix(settings.entityTagPrefix),
               let n = UInt64(publication.entityTag.dropFirst(settings.entityTagPrefix.count))
            {
                counter = max(counter, n)
            }
        }
    }

    mutating func mintTag() -> String {
        counter += 1
        return "\(settings.entityTagPrefix)\(counter)"
    }

    mutating func removeTag(_ tag: String) {
        guard let publication = publications.removeValue(forKey: tag) else { return }
        byPresentity[publication.presentity]?.remove(tag)
        if byPresentity[publication.presentity]?.isEmpty == true { byPresentity[publication.presentity] = nil }
    }

    func ok(_ request: SIPMessage, tag: String, expires: Int, changed: AddressOfRecord?) -> PresencePublishResult {
        PresencePublishResult(response: response(request, 200, "OK", extra: [("SIP-ETag", tag), ("Expires", "\(expires)")]),
                              changed: changed)
    }

    func fail(_ request: SIPMessage, _ status: Int, _ reason: String, extra: [(name: String, value: String)] = []) -> PresencePublishResult {
        PresencePublishResult(response: response(request, status, reason, extra: extra), changed: nil)
    }

    func response(_ request: SIPMessage, _ status: Int, _ reason: String, extra: [(name: String, value: String)]) -> SIPMessage? {
        try? SIPMessage.response(to: request, status: status, reason: reason, toTag: "pp", extraHeaders: extra)
    }
}
