/// Cuts a byte stream (TCP, TLS, WebSocket-less stream transports) into SIP messages using
/// Content-Length (RFC 3261 §18.3), and recognises RFC 5626 §3.5.1 keep-alives between messages:
/// a double CRLF is a "ping", a single CRLF a "pong". Feed bytes as they arrive, then call
/// `next()` until it returns nil.
///
/// After `next()` throws, the stream is out of sync and cannot be recovered: close the connection.
public struct SIPStreamFramer: Sendable {
    public enum Event: Sendable {
        case message(SIPMessage)
        case keepalive(Keepalive)
    }

    public enum Keepalive: Sendable, Equatable {
        /// CRLFCRLF, which the receiver answers with a pong.
        case ping
        /// A lone CRLF.
        case pong
    }

    public let limits: SIPLimits
    private var buffer: [UInt8] = []
    private var readOffset = 0
    /// Total length of the message at the front once its header section has been indexed.
    private var pending: (layout: SIPMessageLayout, total: Int)?

    public init(limits: SIPLimits = .default) {
        self.limits = limits
    }

    /// Bytes received but not yet returned as events.
    public var bufferedByteCount: Int { buffer.count - readOffset }

    public mutating func feed(_ bytes: some Sequence<UInt8>) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete event, or nil when more bytes are needed.
    public mutating func next() throws(SIPParseError) -> Event? {
        if let (layout, total) = pending {
            guard buffer.count - readOffset >= total else { return nil }
            let message = SIPMessage(bytes: Array(buffer[readOffset..<(readOffset + total)]), layout: layout)
            readOffset += total
            pending = nil
            return .message(message)
        }
        let available = buffer.count - readOffset
        guard available > 0 else { return nil }
        if buffer[readOffset] == SIPBytes.cr || buffer[readOffset] == SIPBytes.lf {
            return try keepalive()
        }
        // Look for the end of the header section.
        var i = readOffset
        let limit = min(buffer.count, readOffset + limits.maxMessageSize)
        var headerEnd = -1
        while i + 3 < limit {
            if buffer[i + 3] == SIPBytes.lf && buffer[i + 2] == SIPBytes.cr && buffer[i + 1] == SIPBytes.lf
                && buffer[i] == SIPBytes.cr
            {
                headerEnd = i + 4
                break
            }
            i += 1
        }
        guard headerEnd >= 0 else {
            if available >= limits.maxMessageSize { throw SIPParseError(.messageTooLarge, at: limits.maxMessageSize) }
            return nil
        }
        let base = readOffset
        let layout = try buffer.withUnsafeBufferPointer { (p) throws(SIPParseError) -> SIPMessageLayout in
            let slice = UnsafeBufferPointer(rebasing: p[base..<headerEnd])
            return try SIPMessageIndexer.index(slice, limits: limits, mode: .streamHeaders)
        }
        pending = (layout, (headerEnd - base) + (layout.contentLength ?? 0))
        return try next()
    }

    private mutating func keepalive() throws(SIPParseError) -> Event? {
        let available = buffer.count - readOffset
        guard buffer[readOffset] == SIPBytes.cr else { throw SIPParseError(.badLineEnding, at: 0) }
        guard available >= 2 else { return nil }
        guard buffer[readOffset + 1] == SIPBytes.lf else { throw SIPParseError(.badLineEnding, at: 1) }
        if available >= 4 && buffer[readOffset + 2] == SIPBytes.cr && buffer[readOffset + 3] == SIPBytes.lf {
            readOffset += 4
            return .keepalive(.ping)
        }
        if available == 3 && buffer[readOffset + 2] == SIPBytes.cr { return nil }  // maybe the second half of a ping
        readOffset += 2
        return .keepalive(.pong)
    }

    private mutating func compact() {
        if readOffset > 0 && (readOffset == buffer.count || readOffset >= 4096) {
            buffer.removeSubrange(0..<readOffset)
            readOffset = 0
        }
    }
}
