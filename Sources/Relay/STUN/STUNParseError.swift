/// Why bytes are not a well-formed STUN message, and where (byte offset into the message).
public struct STUNParseError: Error, Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// Fewer than 20 bytes.
        case truncatedHeader
        /// The two top bits are not zero.
        case notSTUN
        /// The magic cookie is missing.
        case badMagicCookie
        /// The length field is not a multiple of 4 or does not match the datagram.
        case lengthMismatch
        /// An attribute's length runs past the end of the message.
        case truncatedAttribute
        /// An attribute follows FINGERPRINT (which must be last).
        case attributeAfterFingerprint
        /// MESSAGE-INTEGRITY or FINGERPRINT has the wrong size.
        case badAttributeLength
        /// More attributes than the parser keeps (a bound against hostile input).
        case tooManyAttributes
    }

    public var kind: Kind
    public var offset: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }
}
