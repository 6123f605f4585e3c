/// Bounds the parser enforces so that a hostile peer cannot make it do unbounded work or keep
/// unbounded state. Defaults fit any sane SIP message (RFC 3261 §18.1.1 suggests 1300 bytes for
/// UDP; TCP messages with big SDP or multipart bodies stay well under 64 KiB).
public struct SIPLimits: Sendable, Equatable {
    /// Largest whole message (start line + headers + body), in bytes.
    public var maxMessageSize: Int
    /// Largest single header line (including folded continuations), in bytes.
    public var maxHeaderLineLength: Int
    /// Most header lines one message may carry.
    public var maxHeaderCount: Int

    public init(maxMessageSize: Int = 65_535, maxHeaderLineLength: Int = 16_384, maxHeaderCount: Int = 256) {
        self.maxMessageSize = maxMessageSize
        self.maxHeaderLineLength = maxHeaderLineLength
        self.maxHeaderCount = maxHeaderCount
    }

    public static let `default` = SIPLimits()
}
