/// Why an SDP body was rejected, and where.
///
/// The offset is a byte index into the body handed to `SDPSessionDescription.parse`, so a log line can point at
/// the exact spot in the SIP message without the parser keeping any text around.
public struct SDPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong.
    public enum Kind: Equatable, Sendable {
        /// The body is empty (or only whitespace).
        case empty
        /// The body exceeds `SDPLimits.maxBytes`.
        case tooLarge
        /// The body has more lines than `SDPLimits.maxLines`.
        case tooManyLines
        /// More `m=` sections than `SDPLimits.maxMediaSections`.
        case tooManyMediaSections
        /// A line is not `<lowercase letter>=<value>`.
        case malformedLine
        /// The first line is not `v=`.
        case missingVersion
        /// `v=` carries something other than `0`.
        case unsupportedVersion
        /// `o=` does not have six fields.
        case invalidOrigin
        /// `c=` does not have three fields.
        case invalidConnection
        /// `m=` does not have media, port and protocol.
        case invalidMedia
        /// A port (in `m=` or `a=rtcp`) is not a number in 0...65535, or a port count is zero.
        case invalidPort
        /// `t=` is not two decimal numbers.
        case invalidTiming
        /// `b=` is not `<type>:<number>`.
        case invalidBandwidth
        /// An attribute the relay relies on (`rtcp`, `rtpmap`, `ptime`) is malformed, or `a=` has no name.
        case invalidAttribute
    }

    public var kind: Kind
    /// Byte offset into the parsed body.
    public var offset: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String { "SDP parse error \(kind) at byte \(offset)" }
}
