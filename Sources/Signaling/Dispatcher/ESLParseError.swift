/// Malformed event-socket input: what was wrong and the byte offset in the stream (or body).
public struct ESLParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// A header line without `:`.
        case malformedHeaderLine
        /// Content-Length that is not a decimal number.
        case badContentLength
        /// Content-Length above `ESLFrameParser.maximumBodyLength`.
        case bodyTooLarge
        /// A header block longer than `ESLFrameParser.maximumHeaderBlockLength` without its blank line.
        case headerBlockTooLarge
        /// An event body shorter than its own Content-Length.
        case truncatedEventBody
    }

    public var kind: Kind
    public var offset: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String { "ESL \(kind) at byte \(offset)" }
}
