/// A URI as SIP uses it (RFC 3261 §19.1, RFC 3966 for `tel`). `sip`/`sips`/`tel` are decoded into
/// parts; any other scheme is kept as an opaque absolute URI, which RFC 3261 allows in the
/// Request-URI, To, From and Contact. Parts are kept as written (still %-escaped) so that a URI can
/// be re-serialized unchanged; `decodedUser` gives the unescaped bytes.
public struct SIPURI: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: Sendable, Hashable {
        case sip, sips, tel
        case other(String)

        public var name: String {
            switch self {
            case .sip: return "sip"
            case .sips: return "sips"
            case .tel: return "tel"
            case .other(let name): return name
            }
        }
    }

    public var scheme: Scheme
    /// `user` of a sip/sips URI, or the telephone-subscriber of a tel URI, as written.
    public var user: String?
    public var password: String?
    public var host: SIPHost?
    public var port: Int?
    public var parameters: [SIPParameter]
    /// `?name=value&...` (never allowed in a Request-URI).
    public var headers: [SIPParameter]
    /// For other schemes: everything after `scheme:`.
    public var opaque: String?

    public init(scheme: Scheme, user: String? = nil, password: String? = nil, host: SIPHost? = nil, port: Int? = nil,
                parameters: [SIPParameter] = [], headers: [SIPParameter] = [], opaque: String? = nil)
    {
        self.scheme = scheme
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.parameters = parameters
        self.headers = headers
        self.opaque = opaque
    }

    /// Parses a standalone URI (offsets in errors are into `text`).
    public init(_ text: String) throws(SIPParseError) {
        let bytes = Array(text.utf8)
        self = try SIPURIParser.parse(bytes, 0..<bytes.count, context: .standalone)
    }

    /// The user part with %-escapes resolved (may contain any byte, e.g. NUL: RFC 4475 escnull).
    public var decodedUser: [UInt8]? { user.map { SIPPercentEncoding.decode($0) } }

    public func parameter(_ name: String) -> SIPParameter? { parameters.first(named: name) }

    /// `transport` parameter, lowercased.
    public var transport: String? { parameter("transport")?.value?.lowercased() }
    /// Whether the URI carries `lr` (loose routing, RFC 3261 §16.12).
    public var isLooseRouter: Bool { parameter("lr") != nil }
    public var maddr: String? { parameter("maddr")?.value }

    /// The URI in wire form.
    public var description: String {
        var out = ""
        appendDescription(to: &out)
        return out
    }

    /// Appends the wire form to `out`, growing one string (the registrar writes a Contact URI for
    /// every REGISTER; concatenations and interpolations allocated a string per part).
    public func appendDescription(to out: inout String) {
        out.append(scheme.name)
        out.append(":")
        switch scheme {
        case .other:
            out.append(opaque ?? "")
            return
        case .tel:
            out.append(user ?? "")
        case .sip, .sips:
            if let user {
                out.append(user)
                if let password {
                    out.append(":")
                    out.append(password)
                }
                out.append("@")
            }
            if let host { out.append(host.text) }
            if let port {
                out.append(":")
                out.append(String(port))
            }
        }
        parameters.appendSerialized(to: &out)
        for (i, header) in headers.enumerated() {
            out.append(i == 0 ? "?" : "&")
            out.append(header.description)
        }
    }
}

/// The host part of a URI or Via sent-by.
public struct SIPHost: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable { case domain, ipv4, ipv6 }

    public var kind: Kind
    /// As written; IPv6 references keep their brackets.
    public var text: String

    public init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
    }

    /// The address without IPv6 brackets.
    public var address: String {
        guard kind == .ipv6 else { return text }
        return String(text.dropFirst().dropLast())
    }

    public var description: String { text }
}

/// %-escape decoding (RFC 3261 §25.1 `escaped`).
public enum SIPPercentEncoding {
    /// Resolves `%HH`; a `%` not followed by two hex digits is kept literally.
    public static func decode(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
               SIPBytes.isHex(bytes[i + 1]), SIPBytes.isHex(bytes[i + 2])
            {
                out.append(SIPBytes.hexValue(bytes[i + 1]) << 4 | SIPBytes.hexValue(bytes[i + 2]))
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }
}
