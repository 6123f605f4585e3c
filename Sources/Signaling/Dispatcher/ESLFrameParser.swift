/// Incremental framing of the event-socket byte stream: append what the socket delivered, take
/// whole frames out. After an error the stream is unusable (the connection should be closed).
public struct ESLFrameParser: Sendable {
    /// mod_event_socket's own limit on a body (`MAX_CONTENT_LENGTH`, 16 MiB).
    public static let maximumBodyLength = 16 * 1024 * 1024
    public static let maximumHeaderBlockLength = 64 * 1024

    private var buffer: [UInt8] = []
    private var start = 0
    /// Stream offset of `buffer[0]`, for error offsets.
    private var consumedBefore = 0

    public init() {}

    public mutating func append<Bytes: Sequence<UInt8>>(_ bytes: Bytes) { buffer.append(contentsOf: bytes) }

    /// The next complete frame, or nil until more bytes arrive.
    public mutating func nextFrame() throws(ESLParseError) -> ESLFrame? {
        // Stray blank lines between frames are skipped.
        while start < buffer.count, buffer[start] == UInt8(ascii: "\n") || buffer[start] == UInt8(ascii: "\r") {
            start += 1
        }
        guard let block = try ESLHeaderBlock.parse(buffer, from: start, base: consumedBefore, decodeValues: false) else {
            if buffer.count - start > Self.maximumHeaderBlockLength {
                throw ESLParseError(.headerBlockTooLarge, at: consumedBefore + start)
            }
            compact()
            return nil
        }
        let length = block.contentLength ?? 0
        guard buffer.count - block.end >= length else { return nil }
        let frame = ESLFrame(headers: block.headers, body: Array(buffer[block.end..<(block.end + length)]))
        start = block.end + length
        compact()
        return frame
    }

    private mutating func compact() {
        guard start > 0, start >= buffer.count / 2 || start == buffer.count else { return }
        consumedBefore += start
        buffer.removeFirst(start)
        start = 0
    }
}
