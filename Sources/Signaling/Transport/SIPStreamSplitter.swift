/// Cuts a SIP byte stream (TCP) into whole messages, and recognises the CRLF keepalives that may sit between them.
///
/// Framing on a stream is by `Content-Length` alone (RFC 3261 §18.3: the header is mandatory on streams), so the
/// splitter only has to find the end of the header block (CRLFCRLF), read `Content-Length` or its compact form `l`
/// (names are case-insensitive, §7.3.1), and wait for that many body bytes. It knows nothing else about SIP: a whole
/// message is handed on as bytes for the codec to parse.
///
/// Between messages, RFC 5626 §3.5.1 keepalives may arrive: a *ping* is CRLFCRLF, its *pong* a single CRLF. A lone
/// CRLF is ambiguous while nothing follows it (a pong, or the first half of a ping split across segments); the caller
/// says whether it is waiting for a pong (`pongExpected`), and otherwise the splitter waits for the next bytes. Stray
/// CRLFs before a start line are so reported as pongs and dropped, which is what §7.5 asks of a receiver anyway.
///
/// The splitter is a small state machine over the caller's buffer: each call looks at the bytes not yet consumed,
/// and after a `Frame` is returned the caller must drop exactly `frame.byteCount` bytes from the front before calling
/// again. It remembers how far it already searched for the end of headers, so a message that trickles in byte by byte
/// costs linear, not quadratic, time. It imports only the standard library, so it can be fuzzed on its own.
public struct SIPStreamSplitter: Sendable {
    /// One unit cut from the front of the stream.
    public enum Frame: Equatable, Sendable {
        /// A whole SIP message (headers and body) of `length` bytes.
        case message(length: Int)
        /// A CRLFCRLF keepalive ping (4 bytes); the receiver should answer with a CRLF pong.
        case ping
        /// A CRLF pong (2 bytes), or a stray CRLF before a start line.
        case pong

        /// How many bytes the frame occupies at the front of the buffer.
        public var byteCount: Int {
            switch self {
            case .message(let length): length
            case .ping: 4
            case .pong: 2
            }
        }
    }

    /// The largest message (headers plus body) accepted; larger ones are a `.messageTooLarge` error.
    public let maxMessageSize: Int
    /// Where the search for CRLFCRLF resumes: bytes before it were already searched.
    private var headerSearchStart = 0
    /// The total length of the message at the front, once its headers are parsed and only body bytes are missing.
    private var pendingMessageLength: Int?

    /// - Parameter maxMessageSize: the largest message accepted, in bytes (at least 16).
    public init(maxMessageSize: Int) {
        self.maxMessageSize = max(maxMessageSize, 16)
    }

    /// Returns the next frame at the front of `bytes`, or nil when more bytes are needed.
    ///
    /// - Parameters:
    ///   - bytes: the unconsumed bytes of the stream, starting at a frame boundary.
    ///   - pongExpected: whether a ping is outstanding, so that a lone CRLF at the end of the data is a pong.
    /// - Throws: `SIPStreamFramingError` when no message boundary can be found; the stream is then unusable.
    public mutating func nextFrame(
        in bytes: UnsafeRawBufferPointer,
        pongExpected: Bool = false
    ) throws(SIPStreamFramingError) -> Frame? {
        if let total = self.pendingMessageLength {
            guard bytes.count >= total else { return nil }
            self.reset()
            return .message(length: total)
        }
        guard let first = bytes.first else { return nil }
        if first == Self.cr {
            switch Self.keepalive(at: bytes, pongExpected: pongExpected) {
            case .ping: return .ping
            case .pong: return .pong
            case .needMoreData: return nil
            case .notKeepalive: break
            }
        }
        guard let crlfcrlf = self.findHeaderEnd(in: bytes) else {
            if bytes.count > self.maxMessageSize {
                throw SIPStreamFramingError(.messageTooLarge, at: self.maxMessageSize)
            }
            return nil
        }
        let headerEnd = crlfcrlf + 4
        guard headerEnd <= self.maxMessageSize else {
            throw SIPStreamFramingError(.messageTooLarge, at: self.maxMessageSize)
        }
        let bodyLength = try self.contentLength(in: bytes, headersEnd: crlfcrlf + 2)
        let (total, overflow) = headerEnd.addingReportingOverflow(bodyLength)
        guard !overflow, total <= self.maxMessageSize else {
            throw SIPStreamFramingError(.messageTooLarge, at: headerEnd)
        }
        guard bytes.count >= total else {
            self.pendingMessageLength = total
            return nil
        }
        self.reset()
        return .message(length: total)
    }

    /// Forgets any partial progress; for a caller that drops its buffer.
    public mutating func reset() {
        self.headerSearchStart = 0
        self.pendingMessageLength = nil
    }

    // MARK: - Keepalives

    private enum KeepaliveScan { case ping, pong, needMoreData, notKeepalive }

    /// Classifies bytes that start with CR: CRLFCRLF is a ping, CRLF followed by anything but CRLF a pong.
    private static func keepalive(at bytes: UnsafeRawBufferPointer, pongExpected: Bool) -> KeepaliveScan {
        let count = bytes.count
        guard count >= 2 else { return .needMoreData }
        guard bytes[1] == lf else { return .notKeepalive }
        guard count >= 3 else { return pongExpected ? .pong : .needMoreData }
        guard bytes[2] == cr else { return .pong }
        guard count >= 4 else { return .needMoreData }
        return bytes[3] == lf ? .ping : .pong
    }

    // MARK: - Header block

    /// Finds the offset of the CRLFCRLF that ends the header block, resuming where the last call stopped.
    private mutating func findHeaderEnd(in bytes: UnsafeRawBufferPointer) -> Int? {
        let count = bytes.count
        var i = self.headerSearchStart
        while i + 3 < count {
            let last = bytes[i + 3]
            if last == Self.lf {
                if bytes[i] == Self.cr && bytes[i + 1] == Self.lf && bytes[i + 2] == Self.cr {
                    return i
                }
                i += 1
            } else if last == Self.cr {
                i += 1
            } else {
                // No CRLFCRLF can start at i...i+3: each would contain `last`, which is neither CR nor LF.
                i += 4
            }
        }
        self.headerSearchStart = max(0, count - 3)
        return nil
    }

    /// Reads the body length from the header lines in `bytes[0..<headersEnd]` (which ends with a line's CRLF).
    private func contentLength(in bytes: UnsafeRawBufferPointer, headersEnd: Int) throws(SIPStreamFramingError) -> Int {
        var found: Int?
        var lineStart = Self.lineEnd(in: bytes, from: 0, limit: headersEnd) + 2  // skip the start line
        while lineStart < headersEnd {
            let lineEnd = Self.lineEnd(in: bytes, from: lineStart, limit: headersEnd)
            if let value = try self.contentLengthValue(in: bytes, line: lineStart..<lineEnd) {
                if let earlier = found, earlier != value {
                    throw SIPStreamFramingError(.invalidContentLength, at: lineStart)
                }
                found = value
            }
            lineStart = lineEnd + 2
        }
        guard let length = found else { throw SIPStreamFramingError(.missingContentLength, at: 0) }
        return length
    }

    /// The offset of the next CRLF at or after `from`, or `limit` when there is none before it.
    private static func lineEnd(in bytes: UnsafeRawBufferPointer, from: Int, limit: Int) -> Int {
        var i = from
        while i + 1 < limit {
            if bytes[i] == cr && bytes[i + 1] == lf { return i }
            i += 1
        }
        return limit
    }

    /// If the line is a `Content-Length`/`l` header, its value; nil for any other line.
    private func contentLengthValue(
        in bytes: UnsafeRawBufferPointer,
        line: Range<Int>
    ) throws(SIPStreamFramingError) -> Int? {
        guard let first = line.first, first != Self.sp, first != Self.htab else { return nil }  // folded line
        var colon = line.lowerBound
        while colon < line.upperBound && bytes[colon] != Self.colon { colon += 1 }
        guard colon < line.upperBound else { return nil }
        var nameEnd = colon
        while nameEnd > line.lowerBound && Self.isBlank(bytes[nameEnd - 1]) { nameEnd -= 1 }
        guard Self.nameMatches(bytes, line.lowerBound..<nameEnd, Self.contentLengthName)
            || Self.nameMatches(bytes, line.lowerBound..<nameEnd, Self.compactName)
        else { return nil }

        var i = colon + 1
        while i < line.upperBound && Self.isBlank(bytes[i]) { i += 1 }
        let digitsStart = i
        var value = 0
        while i < line.upperBound, bytes[i] >= Self.zero, bytes[i] <= Self.nine {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(Int(bytes[i] - Self.zero))
            guard !o1, !o2, next <= self.maxMessageSize else {
                throw SIPStreamFramingError(.messageTooLarge, at: digitsStart)
            }
            value = next
            i += 1
        }
        guard i > digitsStart else { throw SIPStreamFramingError(.invalidContentLength, at: digitsStart) }
        while i < line.upperBound && Self.isBlank(bytes[i]) { i += 1 }
        guard i == line.upperBound else { throw SIPStreamFramingError(.invalidContentLength, at: i) }
        return value
    }

    /// Case-insensitive comparison of `bytes[range]` with a lowercase ASCII name.
    private static func nameMatches(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ name: [UInt8]) -> Bool {
        guard range.count == name.count else { return false }
        var j = 0
        for i in range {
            var b = bytes[i]
            if b >= 0x41 && b <= 0x5A { b |= 0x20 }
            guard b == name[j] else { return false }
            j += 1
        }
        return true
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == sp || byte == htab }

    private static let contentLengthName: [UInt8] = Array("content-length".utf8)
    private static let compactName: [UInt8] = [0x6C]  // "l"
    private static let cr: UInt8 = 0x0D
    private static let lf: UInt8 = 0x0A
    private static let sp: UInt8 = 0x20
    private static let htab: UInt8 = 0x09
    private static let colon: UInt8 = 0x3A
    private static let zero: UInt8 = 0x30
    private static let nine: UInt8 = 0x39
}

extension SIPStreamSplitter {
    /// `nextFrame(in:pongExpected:)` over an array; convenient for tests and fuzzing.
    public mutating func nextFrame(in bytes: [UInt8], pongExpected: Bool = false) throws(SIPStreamFramingError) -> Frame? {
        let result: Result<Frame?, SIPStreamFramingError> = bytes.withUnsafeBytes { raw in
            Result { () throws(SIPStreamFramingError) -> Frame? in try self.nextFrame(in: raw, pongExpected: pongExpected) }
        }
        return try result.get()
    }
}
