/// Who answers REGISTERs for a domain.
public enum RegistrarDomainMode: Sendable, Hashable {
    /// This edge is the registrar: it answers 200/423/... itself.
    case local
    /// The backend farm is the registrar (it authenticates): the REGISTER is forwarded with a Path
    /// header and the binding is saved here only when the backend answers 2xx.
    case passThrough
}

/// What to do when a REGISTER would leave an AOR with more than `maxContacts` bindings.
public enum MaxContactsPolicy: Sendable, Hashable {
    /// Reject with 403 "Too many registered contacts" and change nothing (Kamailio's behaviour).
    case rejectRequest
    /// Accept and drop the AOR's least recently refreshed bindings that the request does not name.
    case evictOldest
}

/// Registrar settings. Defaults: expires 60...3600 s (default 3600), 10 contacts per AOR with
/// `.evictOldest` — chosen over Kamailio's reject because a phone rebooting behind a NAT often
/// re-registers with a new Contact port, and rejecting it would lock the user out until the stale
/// binding expires; the oldest binding is the one most likely dead.
public struct RegistrarConfiguration: Sendable {
    public var minExpires: Int = 60
    public var maxExpires: Int = 3600
    /// Used when neither the Contact `expires` parameter nor an Expires header is given (or the
    /// Expires header is malformed, RFC 4475 §3.1.2.4).
    public var defaultExpires: Int = 3600
    /// 0 means unlimited.
    public var maxContacts: Int = 10
    public var maxContactsPolicy: MaxContactsPolicy = .evictOldest
    /// q (thousandths) of a Contact without `q`: ordered as 1.0.
    public var defaultQ: Int = 1000
    /// The nathelper-style tests whose firing marks a REGISTER as NATed.
    public var natTests: NATStatus = .defaultTests
    /// Domain policy: the mode for a (lowercased) AOR host, nil when the domain is not served here
    /// (403). Default: every domain, answered locally.
    public var domainMode: @Sendable (String) -> RegistrarDomainMode? = { _ in .local }
    /// The URI host[:port] of this edge as put into Path in pass-through mode.
    public var pathHost: String = "edge.invalid"
    /// Adds a Date header to 200 OK (RFC 3261 §10.3 step 8 allows it; some phones set their clock by it).
    public var addDateHeader: Bool = false
    /// Pass-through REGISTERs awaiting the backend's final response: at most this many, each for at
    /// most `pendingTimeoutSeconds` (Timer F, 32 s, bounds a non-INVITE transaction anyway).
    public var pendingLimit: Int = 10_000
    public var pendingTimeoutSeconds: Int = 32

    public init() {}
}
