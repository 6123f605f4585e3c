/// Upper bounds applied while parsing, so a hostile body cannot make the relay spend unbounded memory or time.
///
/// The defaults are far above any real offer (a WebRTC offer with many candidates is a few KiB and ~100 lines) but
/// low enough that one bad control message costs little.
public struct SDPLimits: Sendable, Equatable {
    public var maxBytes: Int
    public var maxLines: Int
    public var maxMediaSections: Int

    public init(maxBytes: Int = 64 * 1024, maxLines: Int = 2048, maxMediaSections: Int = 64) {
        self.maxBytes = maxBytes
        self.maxLines = maxLines
        self.maxMediaSections = maxMediaSections
    }

    public static let `default` = SDPLimits()
}
