/// The result of indexing a message: where the start line, each header and the body sit.
/// Everything is offsets into the message bytes; no value has been decoded yet.
struct SIPMessageLayout: Sendable {
    var isRequest = false
    /// Request: the method is `0..<methodEnd`; the Request-URI is `uriStart..<uriEnd`.
    var methodEnd = 0
    var uriStart = 0
    var uriEnd = 0
    /// Response: the code, and the reason phrase `reasonStart..<reasonEnd` (may be empty).
    var statusCode = 0
    var reasonStart = 0
    var reasonEnd = 0
    /// Just past the start line's CRLF.
    var startLineEnd = 0
    var headers: [SIPHeaderIndexEntry] = []
    /// Offset of the CRLF of the empty line that ends the header section.
    var headersEnd = 0
    /// The value of the (single) Content-Length header, if present.
    var contentLength: Int?

    var bodyStart: Int { headersEnd + 2 }

    mutating func shift(from offset: Int, by delta: Int) {
        if uriStart >= offset { uriStart += delta }
        if uriEnd >= offset { uriEnd += delta }
        if reasonStart >= offset { reasonStart += delta }
        if reasonEnd >= offset { reasonEnd += delta }
        if startLineEnd > offset { startLineEnd += delta }  // an insertion at the first header stays below it
        if headersEnd >= offset { headersEnd += delta }
        for i in headers.indices where Int(headers[i].nameStart32) >= offset {
            headers[i].shift(by: delta)
        }
    }
}
