/// Bounds enforced while decoding a control message, so a hostile or broken peer cannot exhaust memory or stack.
///
/// Defaults fit any real rtpengine exchange: a WebRTC offer's SDP is a few KiB and messages nest two levels deep.
public struct NGLimits: Sendable, Equatable {
    /// Whole message, cookie included.
    public var maxMessageBytes: Int
    public var maxCookieBytes: Int
    /// Nesting of lists/dictionaries (the top-level dictionary is depth 1).
    public var maxDepth: Int
    /// Length of one string (the SDP body is the largest).
    public var maxStringBytes: Int
    /// Total values in the message, at all levels.
    public var maxItems: Int

    public init(maxMessageBytes: Int = 256 * 1024, maxCookieBytes: Int = 256, maxDepth: Int = 16,
                maxStringBytes: Int = 128 * 1024, maxItems: Int = 4096) {
        self.maxMessageBytes = maxMessageBytes
        self.maxCookieBytes = maxCookieBytes
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
        self.maxItems = maxItems
    }

    public static let `default` = NGLimits()
}
