/// The canonical key of a registration (RFC 3261 §10.3 step 5): the To URI reduced to
/// `sip:user@host` — scheme folded to `sip` (a sips AOR is the same user), user with harmless
/// %-escapes resolved (case kept: user parts are case-sensitive), host lowercased, port and all
/// parameters dropped. Two REGISTERs naming the same user thus land on the same bindings.
public struct AddressOfRecord: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let user: String?
    public let host: String

    public init(user: String?, host: String) {
        self.user = user.flatMap { $0.isEmpty ? nil : $0 }
        self.host = host.lowercased()
    }

    /// nil for URIs that cannot be an AOR (tel, other schemes, no host).
    public init?(uri: SIPURI) {
        switch uri.scheme {
        case .sip, .sips: break
        default: return nil
        }
        guard let host = uri.host, !host.text.isEmpty else { return nil }
        self.init(user: uri.user.map(Self.canonicalUser), host: host.text)
    }

    /// Parses `sip:user@host` (as stored in the database).
    public init?(_ text: String) {
        guard let uri = try? SIPURI(text) else { return nil }
        self.init(uri: uri)
    }

    public var description: String {
        if let user { return "sip:\(user)@\(host)" }
        return "sip:\(host)"
    }

    public static func < (a: AddressOfRecord, b: AddressOfRecord) -> Bool { a.description < b.description }

    /// Resolves %-escapes only when every decoded byte is an unreserved character, so the result
    /// still serializes to a valid URI; otherwise the user is kept as written.
    static func canonicalUser(_ user: String) -> String {
        guard user.utf8.contains(UInt8(ascii: "%")) else { return user }
        let decoded = SIPPercentEncoding.decode(user)
        guard decoded.allSatisfy({ SIPBytes.isUnreserved($0) }) else { return user }
        return String(decoding: decoded, as: UTF8.self)
    }
}
