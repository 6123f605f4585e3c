/// A SIP message (or a piece of one) could not be decoded.
///
/// Every failure says *what* went wrong (`kind`) and *where* (`offset`, a byte offset into the
/// message or into the standalone text being parsed), so that a proxy can log something a human
/// can act on and the fuzz target can check that offsets stay in range.
public struct SIPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The start line is neither a Request-Line nor a Status-Line (extra/trailing SP, no CRLF, ...).
        case badStartLine
        /// The SIP-Version is not `SIP/2.0` (RFC 3261 §8.2.2 answers these with 505).
        case badVersion
        /// The method is not a token.
        case badMethod
        /// The Request-URI is malformed or carries what a Request-URI must not (e.g. `?headers`).
        case badRequestURI
        /// The Status-Code is not three digits in 100...699.
        case badStatusCode
        /// A header line does not start with a token followed by `:`.
        case badHeaderName
        /// A line ends with a lone CR or LF, or a header value is unacceptable for an edit.
        case badLineEnding
        /// The message ended before the empty line that closes the header section.
        case incompleteHeaders
        /// A header the message must carry is absent.
        case missingHeader(SIPHeaderKind)
        /// A header that must appear once appears again (Content-Length, CSeq, Call-ID, From, To, Max-Forwards).
        case duplicateHeader(SIPHeaderKind)
        /// Content-Length is not a decimal number that fits the limits.
        case badContentLength
        /// Content-Length claims more bytes than the datagram carries.
        case contentLengthMismatch
        /// A stream transport message has no Content-Length (RFC 3261 §18.3 makes it mandatory there).
        case missingContentLength
        /// A URI is malformed.
        case badURI
        /// A name-addr / addr-spec (From, To, Contact, Route, ...) is malformed.
        case badNameAddress
        /// A Via value is malformed.
        case badVia
        /// CSeq is malformed or its number exceeds 2**31 - 1.
        case badCSeq
        /// The CSeq method differs from the request method.
        case cseqMethodMismatch
        /// Max-Forwards is not a number in 0...255.
        case badMaxForwards
        /// Expires is not delta-seconds that fit 32 bits.
        case badExpires
        /// Call-ID is empty or not a `word [@ word]`.
        case badCallID
        /// Content-Type is not `type/subtype *(;param)`.
        case badContentType
        /// A generic header value is malformed (a parameter, a quoted string, ...).
        case badHeaderValue(SIPHeaderKind)
        /// One header line is longer than the configured limit.
        case headerTooLong
        /// The message has more header lines than the configured limit.
        case tooManyHeaders
        /// The message (headers + body) is larger than the configured limit.
        case messageTooLarge
    }

    public var kind: Kind
    /// Byte offset of the offending byte (or of the start of the offending element).
    public var offset: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String { "SIP parse error \(kind) at byte \(offset)" }
}
