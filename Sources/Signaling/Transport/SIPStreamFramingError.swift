/// Why a SIP byte stream (TCP) could not be cut into messages.
///
/// A framing error is fatal for the connection: once the message boundary is lost there is no safe place to
/// resynchronise, so the transport closes the connection (RFC 3261 §18.3 makes Content-Length mandatory on streams
/// for exactly this reason).
public struct SIPStreamFramingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Equatable, Sendable {
        /// The header block ended without a `Content-Length` (or compact `l`) header.
        case missingContentLength
        /// A `Content-Length` value that is not a plain decimal number, or two that disagree.
        case invalidContentLength
        /// The message (or its header block, while still unterminated) exceeds the configured maximum size.
        case messageTooLarge
    }

    /// What went wrong.
    public let kind: Kind
    /// The byte offset, from the start of the message being framed, where the problem was seen.
    public let offset: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String { "SIP stream framing error: \(self.kind) at byte \(self.offset)" }
}
