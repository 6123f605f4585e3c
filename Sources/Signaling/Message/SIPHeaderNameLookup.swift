/// Full-name header lookup, generated from `SIPHeaderKind.canonicalName`: a switch on
/// (length, first letter) and one literal comparison, so there is no table to retain and
/// no lazy global to initialise on the parse path.
enum SIPHeaderNameLookup {
    static func kind(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int) -> SIPHeaderKind {
        switch (length, SIPBytes.lower(p[start])) {
        case (2, UInt8(ascii: "t")):
            if same(p, start, "to") { return .to }
            return .other
        case (3, UInt8(ascii: "v")):
            if same(p, start, "via") { return .via }
            return .other
        case (4, UInt8(ascii: "c")):
            if same(p, start, "cseq") { return .cseq }
            return .other
        case (4, UInt8(ascii: "d")):
            if same(p, start, "date") { return .date }
            return .other
        case (4, UInt8(ascii: "f")):
            if same(p, start, "from") { return .from }
            return .other
        case (4, UInt8(ascii: "p")):
            if same(p, start, "path") { return .path }
            return .other
        case (4, UInt8(ascii: "r")):
            if same(p, start, "rack") { return .rack }
            if same(p, start, "rseq") { return .rseq }
            return .other
        case (5, UInt8(ascii: "a")):
            if same(p, start, "allow") { return .allow }
            return .other
        case (5, UInt8(ascii: "e")):
            if same(p, start, "event") { return .event }
            return .other
        case (5, UInt8(ascii: "r")):
            if same(p, start, "route") { return .route }
            return .other
        case (6, UInt8(ascii: "a")):
            if same(p, start, "accept") { return .accept }
            return .other
        case (6, UInt8(ascii: "m")):
            if same(p, start, "min-se") { return .minSE }
            return .other
        case (6, UInt8(ascii: "s")):
            if same(p, start, "server") { return .server }
            return .other
        case (7, UInt8(ascii: "c")):
            if same(p, start, "call-id") { return .callID }
            if same(p, start, "contact") { return .contact }
            return .other
        case (7, UInt8(ascii: "e")):
            if same(p, start, "expires") { return .expires }
            return .other
        case (7, UInt8(ascii: "p")):
            if same(p, start, "privacy") { return .privacy }
            return .other
        case (7, UInt8(ascii: "r")):
            if same(p, start, "require") { return .require }
            return .other
        case (7, UInt8(ascii: "s")):
            if same(p, start, "subject") { return .subject }
            return .other
        case (7, UInt8(ascii: "w")):
            if same(p, start, "warning") { return .warning }
            return .other
        case (8, UInt8(ascii: "i")):
            if same(p, start, "identity") { return .identity }
            return .other
        case (8, UInt8(ascii: "p")):
            if same(p, start, "priority") { return .priority }
            return .other
        case (8, UInt8(ascii: "r")):
            if same(p, start, "refer-to") { return .referTo }
            if same(p, start, "replaces") { return .replaces }
            if same(p, start, "reply-to") { return .replyTo }
            return .other
        case (9, UInt8(ascii: "c")):
            if same(p, start, "call-info") { return .callInfo }
            return .other
        case (9, UInt8(ascii: "s")):
            if same(p, start, "supported") { return .supported }
            return .other
        case (9, UInt8(ascii: "t")):
            if same(p, start, "timestamp") { return .timestamp }
            return .other
        case (10, UInt8(ascii: "a")):
            if same(p, start, "alert-info") { return .alertInfo }
            return .other
        case (10, UInt8(ascii: "e")):
            if same(p, start, "error-info") { return .errorInfo }
            return .other
        case (10, UInt8(ascii: "u")):
            if same(p, start, "user-agent") { return .userAgent }
            return .other
        case (11, UInt8(ascii: "i")):
            if same(p, start, "in-reply-to") { return .inReplyTo }
            return .other
        case (11, UInt8(ascii: "m")):
            if same(p, start, "min-expires") { return .minExpires }
            return .other
        case (11, UInt8(ascii: "r")):
            if same(p, start, "referred-by") { return .referredBy }
            if same(p, start, "retry-after") { return .retryAfter }
            return .other
        case (11, UInt8(ascii: "u")):
            if same(p, start, "unsupported") { return .unsupported }
            return .other
        case (12, UInt8(ascii: "a")):
            if same(p, start, "allow-events") { return .allowEvents }
            return .other
        case (12, UInt8(ascii: "c")):
            if same(p, start, "content-type") { return .contentType }
            return .other
        case (12, UInt8(ascii: "m")):
            if same(p, start, "max-forwards") { return .maxForwards }
            if same(p, start, "mime-version") { return .mimeVersion }
            return .other
        case (12, UInt8(ascii: "o")):
            if same(p, start, "organization") { return .organization }
            return .other
        case (12, UInt8(ascii: "r")):
            if same(p, start, "record-route") { return .recordRoute }
            return .other
        case (13, UInt8(ascii: "a")):
            if same(p, start, "authorization") { return .authorization }
            return .other
        case (13, UInt8(ascii: "i")):
            if same(p, start, "identity-info") { return .identityInfo }
            return .other
        case (13, UInt8(ascii: "p")):
            if same(p, start, "proxy-require") { return .proxyRequire }
            return .other
        case (14, UInt8(ascii: "a")):
            if same(p, start, "accept-contact") { return .acceptContact }
            return .other
        case (14, UInt8(ascii: "c")):
            if same(p, start, "content-length") { return .contentLength }
            return .other
        case (14, UInt8(ascii: "r")):
            if same(p, start, "reject-contact") { return .rejectContact }
            return .other
        case (15, UInt8(ascii: "a")):
            if same(p, start, "accept-encoding") { return .acceptEncoding }
            if same(p, start, "accept-language") { return .acceptLanguage }
            return .other
        case (15, UInt8(ascii: "s")):
            if same(p, start, "session-expires") { return .sessionExpires }
            return .other
        case (16, UInt8(ascii: "c")):
            if same(p, start, "content-encoding") { return .contentEncoding }
            if same(p, start, "content-language") { return .contentLanguage }
            return .other
        case (16, UInt8(ascii: "w")):
            if same(p, start, "www-authenticate") { return .wwwAuthenticate }
            return .other
        case (18, UInt8(ascii: "p")):
            if same(p, start, "proxy-authenticate") { return .proxyAuthenticate }
            return .other
        case (18, UInt8(ascii: "s")):
            if same(p, start, "subscription-state") { return .subscriptionState }
            return .other
        case (19, UInt8(ascii: "a")):
            if same(p, start, "authentication-info") { return .authenticationInfo }
            return .other
        case (19, UInt8(ascii: "c")):
            if same(p, start, "content-disposition") { return .contentDisposition }
            return .other
        case (19, UInt8(ascii: "p")):
            if same(p, start, "p-asserted-identity") { return .pAssertedIdentity }
            if same(p, start, "proxy-authorization") { return .proxyAuthorization }
            return .other
        case (19, UInt8(ascii: "r")):
            if same(p, start, "request-disposition") { return .requestDisposition }
            return .other
        default:
            return .other
        }
    }

    /// Case-insensitive comparison with a lowercase literal of the same length (checked by the caller).
    @inline(__always) private static func same(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ literal: StaticString) -> Bool {
        let lit = literal.utf8Start
        for k in 1..<literal.utf8CodeUnitCount where SIPBytes.lower(p[start + k]) != lit[k] { return false }
        return true
    }
}
