/// A reply dictionary: `result` first, then any extra keys (the rewritten `sdp`, statistics, ...).
///
/// rtpengine's rules: `result` is `ok`, `pong` (ping only) or `error`; an error carries only `error-reason`.
public struct NGReply: Sendable, Equatable {
    public var dictionary: NGDictionary

    public init(dictionary: NGDictionary) { self.dictionary = dictionary }

    public static func ok(_ extra: NGDictionary = NGDictionary()) -> NGReply {
        var d: NGDictionary = ["result": .text("ok")]
        d.append(contentsOf: extra)
        return NGReply(dictionary: d)
    }

    /// `ok` with a non-fatal `warning` (e.g. delete of an unknown call without the `fatal` flag).
    public static func warning(_ text: String, _ extra: NGDictionary = NGDictionary()) -> NGReply {
        var r = ok(extra)
        r.dictionary.append("warning", .text(text))
        return r
    }

    public static let pong = NGReply(dictionary: ["result": .text("pong")])

    public static func error(_ reason: String) -> NGReply {
        NGReply(dictionary: ["result": .text("error"), "error-reason": .text(reason)])
    }

    public static func error(_ error: NGCommandError) -> NGReply { .error(error.reason) }
    public static func error(_ error: NGDecodeError, encoding: NGEncoding) -> NGReply {
        .error(error.reason(for: encoding))
    }

    /// `<cookie> <dictionary>` in the requested form.
    public func encoded(cookie: [UInt8], encoding: NGEncoding) -> [UInt8] {
        NGMessage.encode(cookie: cookie, encoding: encoding, dictionary: dictionary)
    }
}
