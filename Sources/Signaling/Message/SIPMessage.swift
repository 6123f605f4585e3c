/// One SIP request or response (RFC 3261 §7), held as its wire bytes plus an index of where each
/// part sits. Parsing only builds the index; header values are decoded by the typed accessors when
/// asked for, so a proxy pays only for what it reads. Bytes that no edit touched are serialized
/// exactly as received.
public struct SIPMessage: Sendable {
    /// The message exactly as it would be sent: start line, headers, empty line, body.
    public internal(set) var bytes: [UInt8]
    var layout: SIPMessageLayout

    init(bytes: [UInt8], layout: SIPMessageLayout) {
        self.bytes = bytes
        self.layout = layout
    }

    /// Parses one whole message, e.g. a UDP datagram. A Content-Length shorter than what follows
    /// the headers bounds the body (the rest is dropped, RFC 3261 §18.3); a longer one is an error;
    /// no Content-Length means the body is everything after the headers.
    public static func parse(_ bytes: [UInt8], limits: SIPLimits = .default) throws(SIPParseError) -> SIPMessage {
        let layout = try bytes.withUnsafeBufferPointer { (p) throws(SIPParseError) -> SIPMessageLayout in
            try SIPMessageIndexer.index(p, limits: limits, mode: .datagram)
        }
        let end = layout.contentLength.map { layout.bodyStart + $0 } ?? bytes.count
        if end < bytes.count {
            return SIPMessage(bytes: Array(bytes[0..<end]), layout: layout)
        }
        return SIPMessage(bytes: bytes, layout: layout)
    }

    /// Parses one whole message from raw memory (copied once into the message).
    public static func parse(_ buffer: UnsafeRawBufferPointer, limits: SIPLimits = .default) throws(SIPParseError)
        -> SIPMessage
    {
        try parse(Array(buffer), limits: limits)
    }

    /// Parses text (tests, tools). Line ends must already be CRLF.
    public static func parse(_ text: String, limits: SIPLimits = .default) throws(SIPParseError) -> SIPMessage {
        try parse(Array(text.utf8), limits: limits)
    }

    // MARK: Start line

    public var isRequest: Bool { layout.isRequest }
    public var isResponse: Bool { !layout.isRequest }

    /// The request method (nil for responses).
    public var method: SIPMethod? {
        guard layout.isRequest else { return nil }
        return SIPMethod(bytes, 0..<layout.methodEnd)
    }

    /// The byte range of the Request-URI (empty for responses).
    public var requestURIRange: Range<Int> { layout.isRequest ? layout.uriStart..<layout.uriEnd : 0..<0 }

    /// The Request-URI as text (nil for responses).
    public var requestURIText: String? {
        layout.isRequest ? SIPBytes.string(bytes, layout.uriStart..<layout.uriEnd) : nil
    }

    /// The parsed Request-URI (nil for responses).
    public var requestURI: SIPURI? {
        get throws(SIPParseError) {
            guard layout.isRequest else { return nil }
            return try SIPURIParser.parse(bytes, layout.uriStart..<layout.uriEnd, context: .requestURI)
        }
    }

    /// The Status-Code (nil for requests).
    public var statusCode: Int? { layout.isRequest ? nil : layout.statusCode }

    /// The Reason-Phrase as text, possibly empty (nil for requests).
    public var reasonPhrase: String? {
        layout.isRequest ? nil : SIPBytes.string(bytes, layout.reasonStart..<layout.reasonEnd)
    }

    // MARK: Headers and body

    /// One entry per header line, in message order.
    public var headerIndex: [SIPHeaderIndexEntry] { layout.headers }

    /// The body bytes' range in `bytes`.
    public var bodyRange: Range<Int> { layout.bodyStart..<bytes.count }

    /// The body bytes.
    public var body: ArraySlice<UInt8> { bytes[layout.bodyStart..<bytes.count] }
}
