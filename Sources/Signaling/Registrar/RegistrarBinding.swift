/// Identifies one binding: the AOR plus the Contact URI's canonical text (RFC 3261 §10.3 step 7
/// compares Contact URIs; here the URI as written with its host lowercased, which is what a phone
/// re-sends on refresh — the full §19.1.4 comparison is not implemented).
public struct RegistrarBindingKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var aor: AddressOfRecord
    public var contactURI: String

    public init(aor: AddressOfRecord, contactURI: String) {
        self.aor = aor
        self.contactURI = contactURI
    }

    /// The key text of a Contact URI.
    public static func canonicalContact(_ uri: SIPURI) -> String { canonicalContactText(uri).text }

    /// The key text, and whether it is the URI's own wire text (`uri.description`): hosts are
    /// almost always written in lowercase (IP addresses always), and then the URI is not copied and
    /// the caller can reuse the text.
    static func canonicalContactText(_ uri: SIPURI) -> (text: String, isURIText: Bool) {
        guard let host = uri.host, !host.text.utf8.allSatisfy({ $0 < 0x80 && !($0 >= 65 && $0 <= 90) }) else {
            return (uri.description, true)
        }
        return (lowercasingHost(uri, host), false)
    }

    private static func lowercasingHost(_ uri: SIPURI, _ host: SIPHost) -> String {
        var copy = uri
        copy.host = SIPHost(kind: host.kind, text: host.text.lowercased())
        return copy.description
    }

    public static func < (a: RegistrarBindingKey, b: RegistrarBindingKey) -> Bool {
        (a.aor.description, a.contactURI) < (b.aor.description, b.contactURI)
    }

    public var description: String { "\(aor) -> \(contactURI)" }
}

/// One registered contact of an AOR with what is needed to reach it through a NAT.
public struct RegistrarBinding: Sendable, Hashable {
    public var key: RegistrarBindingKey
    /// The Contact value as the phone sent it, minus `expires` (the 200 OK echoes it with the
    /// remaining time, and the phone must recognize its own Contact).
    public var contact: String
    public var callID: String
    public var cseq: UInt32
    public var expiresAt: RegistrarInstant
    /// q in thousandths (0...1000).
    public var q: Int
    /// When this binding first appeared, and when it was last refreshed ("most recent" ordering).
    public var registeredAt: RegistrarInstant
    public var updatedAt: RegistrarInstant
    /// The address the REGISTER came from (nathelper's `received`): where a NATed binding is reached.
    public var source: RegistrarPeer
    /// The local socket (or connection) the REGISTER arrived on: keepalives and requests leave by it.
    public var socket: LocalSocketRef
    public var nat: NATStatus
    /// Path header values (RFC 3327), top first, to be turned into a Route set towards the phone.
    public var path: [String]
    public var userAgent: String?
    /// `+sip.instance` (RFC 5626), when the phone sent one.
    public var instance: String?

    public init(key: RegistrarBindingKey, contact: String, callID: String, cseq: UInt32, expiresAt: RegistrarInstant,
                q: Int, registeredAt: RegistrarInstant, updatedAt: RegistrarInstant, source: RegistrarPeer,
                socket: LocalSocketRef, nat: NATStatus, path: [String] = [], userAgent: String? = nil,
                instance: String? = nil)
    {
        self.key = key
        self.contact = contact
        self.callID = callID
        self.cseq = cseq
        self.expiresAt = expiresAt
        self.q = q
        self.registeredAt = registeredAt
        self.updatedAt = updatedAt
        self.source = source
        self.socket = socket
        self.nat = nat
        self.path = path
        self.userAgent = userAgent
        self.instance = instance
    }

    public func isExpired(at now: RegistrarInstant) -> Bool { expiresAt <= now }

    /// Whether requests to this binding must go to `source` (through `socket`) rather than to the
    /// Contact: NATed bindings, and every stream binding (only the phone's connection reaches it).
    public var routesViaSource: Bool { nat.isNATed || source.transport.isStream }

    /// `sip:IP:port[;transport=x]` of the source, as Kamailio stores it in the `received` column.
    public var receivedURI: String { source.sipURIText }
}

/// One change of the location table, emitted by the core for the persistence writer, the keepalive
/// scheduler and logs.
public enum LocationChange: Sendable, Hashable {
    /// A binding was created or refreshed (the whole new state).
    case saved(RegistrarBinding, created: Bool)
    case removed(RegistrarBinding, reason: BindingRemovalReason)

    public var key: RegistrarBindingKey {
        switch self {
        case .saved(let b, _): return b.key
        case .removed(let b, _): return b.key
        }
    }
}

/// Why a binding left the table (counted per reason).
public enum BindingRemovalReason: String, Sendable, Hashable, CaseIterable {
    /// `expires=0` for that contact.
    case unregistered
    /// `Contact: *` with `Expires: 0`.
    case wildcard
    case expired
    /// Pushed out by a newer contact under the evict-oldest `max_contacts` policy.
    case evicted
    /// Keepalive pings went unanswered `maxPingsLost` times.
    case keepaliveTimeout
    /// The TCP/TLS connection the binding registered over closed (RFC 5626 §4.4.1: the flow
    /// failed): a phone behind NAT can only be reached through the connection it opened.
    case connectionClosed
    /// Removed by an operator or the daemon.
    case administrative
}
