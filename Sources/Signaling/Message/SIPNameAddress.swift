/// `name-addr / addr-spec` followed by header parameters: the value of From, To, Contact, Route,
/// Record-Route, Refer-To, P-Asserted-Identity... (RFC 3261 §20.10, §20.20, §20.39, §25.1).
public struct SIPNameAddress: Sendable, Hashable, CustomStringConvertible {
    /// The display name without quotes or escapes (nil when absent).
    public var displayName: String?
    public var uri: SIPURI
    /// Header parameters after the URI (tag, expires, q, lr on addr-spec forms, ...).
    public var parameters: [SIPParameter]
    /// Whether the URI was written inside `<>` (serialization keeps the form when safe).
    public var usesAngleBrackets: Bool

    public init(displayName: String? = nil, uri: SIPURI, parameters: [SIPParameter] = [], usesAngleBrackets: Bool = true) {
        self.displayName = displayName
        self.uri = uri
        self.parameters = parameters
        self.usesAngleBrackets = usesAngleBrackets
    }

    /// Parses one value (offsets in errors are into `text`).
    public init(_ text: String) throws(SIPParseError) {
        let bytes = Array(text.utf8)
        self = try SIPNameAddressParser.parse(bytes, 0..<bytes.count)
    }

    /// The `tag` parameter (From/To, RFC 3261 §19.3).
    public var tag: String? { parameters.first(named: "tag")?.value }

    public var description: String { description(uriText: nil) }

    /// `description` with the URI's wire text (`uri.description`) supplied by a caller that already
    /// built it (the registrar keys a binding by it and then stores the whole Contact), nil to write it here.
    public func description(uriText: String?) -> String {
        var out = ""
        if let displayName {
            out.append(SIPQuoting.quote(displayName))
            out.append(" ")
        }
        // A URI with ',', ';' or '?' must be bracketed (RFC 3261 §20.10).
        let bracket = usesAngleBrackets || displayName != nil || !uri.parameters.isEmpty || !uri.headers.isEmpty
        if bracket { out.append("<") }
        if let uriText { out.append(uriText) } else { uri.appendDescription(to: &out) }
        if bracket { out.append(">") }
        parameters.appendSerialized(to: &out)
        return out
    }
}

enum SIPNameAddressParser {
    static func parse(_ b: [UInt8], _ range: Range<Int>) throws(SIPParseError) -> SIPNameAddress {
        var s = SIPValueScanner(b, range)
        let err = SIPParseError.Kind.badNameAddress
        s.skipLWS()
        let start = s.position
        var displayName: String?
        var uriRange: Range<Int>?
        if s.peek == UInt8(ascii: "\"") {
            let quoted = try s.quotedString(err)
            displayName = SIPQuoting.unquote(SIPBytes.string(b, quoted))
            s.skipLWS()
            guard s.peek == UInt8(ascii: "<") else { throw SIPParseError(err, at: s.position) }
        } else if s.peek != UInt8(ascii: "<") {
            // Either `*(token LWS) <` or an addr-spec.
            var lastEnd = start
            while s.token() != nil {
                lastEnd = s.position
                s.skipLWS()
            }
            if s.peek == UInt8(ascii: "<") {
                guard lastEnd > start else { throw SIPParseError(err, at: s.position) }
                displayName = SIPBytes.string(b, start..<lastEnd)
            } else {
                s.position = start
            }
        }
        if s.peek == UInt8(ascii: "<") {
            s.position += 1
            let uriStart = s.position
            while s.position < s.end && b[s.position] != UInt8(ascii: ">") { s.position += 1 }
            guard s.position < s.end else { throw SIPParseError(err, at: uriStart - 1) }
            uriRange = uriStart..<s.position
            s.position += 1
            let uri = try SIPURIParser.parse(b, uriRange!, context: .nameAddr)
            let params = try s.parameters(err)
            try s.expectEnd(err)
            return SIPNameAddress(displayName: displayName, uri: uri, parameters: params, usesAngleBrackets: true)
        }
        // addr-spec: the URI ends at ';', ',' or whitespace; parameters after it belong to the header.
        let uriStart = s.position
        while s.position < s.end {
            let c = b[s.position]
            if c == UInt8(ascii: ";") || c == UInt8(ascii: ",") || SIPBytes.isLWS(c) { break }
            s.position += 1
        }
        let uri = try SIPURIParser.parse(b, uriStart..<s.position, context: .addrSpec)
        let params = try s.parameters(err)
        try s.expectEnd(err)
        return SIPNameAddress(displayName: nil, uri: uri, parameters: params, usesAngleBrackets: false)
    }
}

/// The value of Contact: either `*` (REGISTER "remove all bindings", RFC 3261 §10.2.2) or addresses.
public enum SIPContactList: Sendable, Hashable {
    case wildcard
    case addresses([SIPNameAddress])

    public var addresses: [SIPNameAddress] {
        if case .addresses(let list) = self { return list }
        return []
    }
}
