/// Why a control message could not be decoded, and the byte offset (into the whole message) where it went wrong.
public struct NGDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// No bytes at all.
        case empty
        /// No space separating cookie and payload, or an empty cookie.
        case missingCookie
        /// The cookie is longer than `NGLimits.maxCookieBytes`.
        case cookieTooLong
        /// Nothing after the cookie.
        case missingPayload
        /// The payload starts with neither `d` (bencode) nor `{` (JSON).
        case unknownFormat
        /// The message exceeds `NGLimits.maxMessageBytes`.
        case tooLarge
        /// Input ended inside a value.
        case unexpectedEnd
        /// A byte that cannot start or continue a value here.
        case unexpectedByte
        /// Malformed integer (leading zero, `-0`, no digits) or one that does not fit 64 bits.
        case invalidInteger
        /// Malformed bencode string length.
        case invalidStringLength
        /// A string longer than `NGLimits.maxStringBytes`.
        case stringTooLong
        /// Nesting deeper than `NGLimits.maxDepth`.
        case tooDeep
        /// More values than `NGLimits.maxItems`.
        case tooManyItems
        /// Bytes after the top-level value (other than whitespace).
        case trailingData
        /// The top-level value is not a dictionary.
        case notADictionary
        /// A dictionary key that is not a string (JSON: missing quotes).
        case invalidKey
        /// JSON: unknown escape, or a `\u` escape that is not four hex digits.
        case invalidEscape
        /// JSON: a lone or mismatched UTF-16 surrogate in `\u` escapes.
        case invalidSurrogate
        /// JSON: a string that is not valid UTF-8.
        case invalidUTF8
        /// JSON: a raw control character (< 0x20) inside a string.
        case controlCharacter
    }

    public var kind: Kind
    public var offset: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String { "ng decode error \(kind) at byte \(offset)" }

    /// The `error-reason` rtpengine sends for a payload it cannot decode in the given form.
    public func reason(for encoding: NGEncoding) -> String {
        switch kind {
        case .empty, .missingCookie, .cookieTooLong, .missingPayload: return "Invalid data (no payload)"
        case .unknownFormat: return "Invalid NG data format"
        case .tooLarge: return "Message too large"
        case .notADictionary:
            return encoding == .json ? "Could not decode JSON dictionary" : "Could not decode bencode dictionary"
        default:
            return encoding == .json ? "Failed to parse JSON document" : "Could not decode bencode dictionary"
        }
    }
}
