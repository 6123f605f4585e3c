/// The headers the codec knows by name, as a one-byte enum so that the header index stays small and
/// a proxy can find "the Via lines" without comparing strings. Anything else is `.other` and keeps
/// its name bytes in the message.
///
/// Compact forms (RFC 3261 §7.3.3 and §20, RFC 3265, RFC 3515, RFC 3892, RFC 4028, RFC 4474,
/// RFC 3841): i m e l c f s k t v, o u, r, b, x, y n, a j d.
public enum SIPHeaderKind: UInt8, Sendable, CaseIterable {
    case other
    case accept, acceptContact, acceptEncoding, acceptLanguage, alertInfo, allow, allowEvents
    case authenticationInfo, authorization, callID, callInfo, contact, contentDisposition
    case contentEncoding, contentLanguage, contentLength, contentType, cseq, date, errorInfo, event
    case expires, from, identity, identityInfo, inReplyTo, maxForwards, mimeVersion, minExpires, minSE
    case organization, path, pAssertedIdentity, priority, privacy, proxyAuthenticate
    case proxyAuthorization, proxyRequire, rack, recordRoute, referTo, referredBy, rejectContact
    case replaces, replyTo, requestDisposition, require, retryAfter, route, rseq, server
    case sessionExpires, subject, subscriptionState, supported, timestamp, to, unsupported
    case userAgent, via, warning, wwwAuthenticate

    /// The canonical spelling, used when the codec writes a header line itself.
    public var canonicalName: String {
        switch self {
        case .other: return ""
        case .accept: return "Accept"
        case .acceptContact: return "Accept-Contact"
        case .acceptEncoding: return "Accept-Encoding"
        case .acceptLanguage: return "Accept-Language"
        case .alertInfo: return "Alert-Info"
        case .allow: return "Allow"
        case .allowEvents: return "Allow-Events"
        case .authenticationInfo: return "Authentication-Info"
        case .authorization: return "Authorization"
        case .callID: return "Call-ID"
        case .callInfo: return "Call-Info"
        case .contact: return "Contact"
        case .contentDisposition: return "Content-Disposition"
        case .contentEncoding: return "Content-Encoding"
        case .contentLanguage: return "Content-Language"
        case .contentLength: return "Content-Length"
        case .contentType: return "Content-Type"
        case .cseq: return "CSeq"
        case .date: return "Date"
        case .errorInfo: return "Error-Info"
        case .event: return "Event"
        case .expires: return "Expires"
        case .from: return "From"
        case .identity: return "Identity"
        case .identityInfo: return "Identity-Info"
        case .inReplyTo: return "In-Reply-To"
        case .maxForwards: return "Max-Forwards"
        case .mimeVersion: return "MIME-Version"
        case .minExpires: return "Min-Expires"
        case .minSE: return "Min-SE"
        case .organization: return "Organization"
        case .path: return "Path"
        case .pAssertedIdentity: return "P-Asserted-Identity"
        case .priority: return "Priority"
        case .privacy: return "Privacy"
        case .proxyAuthenticate: return "Proxy-Authenticate"
        case .proxyAuthorization: return "Proxy-Authorization"
        case .proxyRequire: return "Proxy-Require"
        case .rack: return "RAck"
        case .recordRoute: return "Record-Route"
        case .referTo: return "Refer-To"
        case .referredBy: return "Referred-By"
        case .rejectContact: return "Reject-Contact"
        case .replaces: return "Replaces"
        case .replyTo: return "Reply-To"
        case .requestDisposition: return "Request-Disposition"
        case .require: return "Require"
        case .retryAfter: return "Retry-After"
        case .route: return "Route"
        case .rseq: return "RSeq"
        case .server: return "Server"
        case .sessionExpires: return "Session-Expires"
        case .subject: return "Subject"
        case .subscriptionState: return "Subscription-State"
        case .supported: return "Supported"
        case .timestamp: return "Timestamp"
        case .to: return "To"
        case .unsupported: return "Unsupported"
        case .userAgent: return "User-Agent"
        case .via: return "Via"
        case .warning: return "Warning"
        case .wwwAuthenticate: return "WWW-Authenticate"
        }
    }

    /// The one-letter compact form, if the header has one.
    public var compactForm: Character? {
        switch self {
        case .callID: return "i"
        case .contact: return "m"
        case .contentEncoding: return "e"
        case .contentLength: return "l"
        case .contentType: return "c"
        case .from: return "f"
        case .subject: return "s"
        case .supported: return "k"
        case .to: return "t"
        case .via: return "v"
        case .event: return "o"
        case .allowEvents: return "u"
        case .referTo: return "r"
        case .referredBy: return "b"
        case .sessionExpires: return "x"
        case .identity: return "y"
        case .identityInfo: return "n"
        case .acceptContact: return "a"
        case .rejectContact: return "j"
        case .requestDisposition: return "d"
        default: return nil
        }
    }

    /// Whether the header's grammar is a comma-separated list (RFC 3261 §7.3.1), so that several
    /// values may share one line and one value may be split over several lines.
    public var isCommaList: Bool {
        switch self {
        case .accept, .acceptContact, .acceptEncoding, .acceptLanguage, .alertInfo, .allow, .allowEvents,
             .callInfo, .contact, .contentEncoding, .contentLanguage, .errorInfo, .inReplyTo, .path,
             .pAssertedIdentity, .proxyRequire, .recordRoute, .rejectContact, .require, .route,
             .supported, .unsupported, .via, .warning, .requestDisposition:
            return true
        default:
            return false
        }
    }

    /// Headers RFC 3261 allows at most once (a second copy makes the message invalid, RFC 4475 §3.3.8).
    public var isSingleton: Bool {
        switch self {
        case .callID, .contentLength, .cseq, .from, .to, .maxForwards, .contentType, .expires: return true
        default: return false
        }
    }

    /// Looks a header name up; `.other` when unknown. Case-insensitive, compact forms included.
    static func lookup(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> SIPHeaderKind {
        let length = end - start
        if length == 1 {
            return compact(SIPBytes.lower(p[start]))
        }
        return SIPHeaderNameLookup.kind(p, start, length)
    }

    static func compact(_ c: UInt8) -> SIPHeaderKind {
        switch c {
        case UInt8(ascii: "i"): return .callID
        case UInt8(ascii: "m"): return .contact
        case UInt8(ascii: "e"): return .contentEncoding
        case UInt8(ascii: "l"): return .contentLength
        case UInt8(ascii: "c"): return .contentType
        case UInt8(ascii: "f"): return .from
        case UInt8(ascii: "s"): return .subject
        case UInt8(ascii: "k"): return .supported
        case UInt8(ascii: "t"): return .to
        case UInt8(ascii: "v"): return .via
        case UInt8(ascii: "o"): return .event
        case UInt8(ascii: "u"): return .allowEvents
        case UInt8(ascii: "r"): return .referTo
        case UInt8(ascii: "b"): return .referredBy
        case UInt8(ascii: "x"): return .sessionExpires
        case UInt8(ascii: "y"): return .identity
        case UInt8(ascii: "n"): return .identityInfo
        case UInt8(ascii: "a"): return .acceptContact
        case UInt8(ascii: "j"): return .rejectContact
        case UInt8(ascii: "d"): return .requestDisposition
        default: return .other
        }
    }

    /// Looks a header name given as text up (for callers and edits).
    public static func named(_ name: String) -> SIPHeaderKind {
        Array(name.utf8).withUnsafeBufferPointer { lookup($0, 0, $0.count) }
    }
}
