/// The parse-time pass: one linear scan that checks the start line, finds every header line
/// (unfolding continuation lines), classifies header names, and reads Content-Length because
/// framing needs it. It allocates only the header index array and creates no Strings.
enum SIPMessageIndexer {
    enum Mode {
        /// A whole UDP datagram (or a test buffer): body is what follows the headers, bounded by
        /// Content-Length when present (RFC 3261 §18.3).
        case datagram
        /// Only the header section of a stream message is known to be present; Content-Length is mandatory.
        case streamHeaders
        /// Best effort for answering broken requests: Content-Length problems are ignored.
        case lenient
    }

    static func index(_ p: UnsafeBufferPointer<UInt8>, limits: SIPLimits, mode: Mode) throws(SIPParseError)
        -> SIPMessageLayout
    {
        let n = p.count
        if n > limits.maxMessageSize && mode != .streamHeaders { throw SIPParseError(.messageTooLarge, at: limits.maxMessageSize) }
        // Index entries hold Int32 offsets.
        if n > Int(Int32.max) { throw SIPParseError(.messageTooLarge, at: Int(Int32.max)) }
        var layout = SIPMessageLayout()
        layout.headers.reserveCapacity(16)
        var i = try startLine(p, &layout)
        var contentLengthSeen = false
        while true {
            guard i < n else { throw SIPParseError(.incompleteHeaders, at: n) }
            if p[i] == SIPBytes.cr {
                guard i + 1 < n else { throw SIPParseError(.incompleteHeaders, at: n) }
                guard p[i + 1] == SIPBytes.lf else { throw SIPParseError(.badLineEnding, at: i) }
                layout.headersEnd = i
                break
            }
            guard layout.headers.count < limits.maxHeaderCount else { throw SIPParseError(.tooManyHeaders, at: i) }
            let lineStart = i
            while i < n && SIPBytes.isToken(p[i]) { i += 1 }
            let nameEnd = i
            guard nameEnd > lineStart else { throw SIPParseError(.badHeaderName, at: lineStart) }
            while i < n && SIPBytes.isWSP(p[i]) { i += 1 }
            guard i < n else { throw SIPParseError(.incompleteHeaders, at: n) }
            guard p[i] == UInt8(ascii: ":") else { throw SIPParseError(.badHeaderName, at: i) }
            i += 1
            // Value: everything up to a CRLF not followed by WSP; leading and trailing LWS trimmed.
            while i < n && SIPBytes.isWSP(p[i]) { i += 1 }
            var valueStart = i
            var valueEnd = i
            while true {
                let lineBreak = SIPBytes.findLineBreak(p, from: i, end: n)
                var last = lineBreak
                while last > i && SIPBytes.isWSP(p[last - 1]) { last -= 1 }
                if last > i {
                    if valueEnd == valueStart { valueStart = i }
                    valueEnd = last
                }
                i = lineBreak
                guard i + 1 < n else { throw SIPParseError(.incompleteHeaders, at: n) }
                guard p[i] == SIPBytes.cr && p[i + 1] == SIPBytes.lf else { throw SIPParseError(.badLineEnding, at: i) }
                i += 2
                guard i < n && SIPBytes.isWSP(p[i]) else { break }
                // Folded continuation: skip its leading whitespace and keep going.
                while i < n && SIPBytes.isWSP(p[i]) { i += 1 }
            }
            guard i - lineStart <= limits.maxHeaderLineLength else { throw SIPParseError(.headerTooLong, at: lineStart) }
            let kind = SIPHeaderKind.lookup(p, lineStart, nameEnd)
            if kind == .contentLength {
                if mode == .lenient {
                    layout.contentLength = contentLengthSeen ? nil : try? decimal(p, valueStart, valueEnd, limit: maxContentLength)
                    contentLengthSeen = true
                } else {
                    guard !contentLengthSeen else { throw SIPParseError(.duplicateHeader(.contentLength), at: lineStart) }
                    contentLengthSeen = true
                    layout.contentLength = try decimal(p, valueStart, valueEnd, limit: maxContentLength)
                }
            }
            layout.headers.append(
                SIPHeaderIndexEntry(kind: kind, nameStart: lineStart, nameEnd: nameEnd, valueStart: valueStart,
                                    valueEnd: valueEnd, lineEnd: i))
        }
        let bodyStart = layout.bodyStart
        switch mode {
        case .streamHeaders:
            guard let length = layout.contentLength else { throw SIPParseError(.missingContentLength, at: layout.headersEnd) }
            guard bodyStart + length <= limits.maxMessageSize else { throw SIPParseError(.messageTooLarge, at: bodyStart) }
        case .datagram:
            if let length = layout.contentLength, length > n - bodyStart {
                throw SIPParseError(.contentLengthMismatch, at: n)
            }
        case .lenient:
            if let length = layout.contentLength, length > n - bodyStart { layout.contentLength = nil }
        }
        return layout
    }

    /// Content-Length values above this are malformed rather than merely too large (2**30).
    static let maxContentLength = 1 << 30

    /// `1*DIGIT` filling the whole range, bounded by `limit`; a trailing fold/space was already trimmed.
    static func decimal(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, limit: Int) throws(SIPParseError) -> Int {
        guard start < end else { throw SIPParseError(.badContentLength, at: start) }
        var value = 0
        var i = start
        while i < end {
            let b = p[i]
            guard SIPBytes.isDigit(b) else { throw SIPParseError(.badContentLength, at: i) }
            value = value * 10 + Int(b &- 0x30)
            guard value <= limit else { throw SIPParseError(.badContentLength, at: start) }
            i += 1
        }
        return value
    }

    /// Request-Line = Method SP Request-URI SP SIP-Version CRLF;
    /// Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF.
    /// Returns the offset just past the CRLF.
    static func startLine(_ p: UnsafeBufferPointer<UInt8>, _ layout: inout SIPMessageLayout) throws(SIPParseError) -> Int {
        let n = p.count
        var lineEnd = 0
        while lineEnd < n && p[lineEnd] != SIPBytes.cr && p[lineEnd] != SIPBytes.lf { lineEnd += 1 }
        if lineEnd < n && p[lineEnd] == SIPBytes.lf { throw SIPParseError(.badLineEnding, at: lineEnd) }
        guard lineEnd + 1 < n else { throw SIPParseError(.incompleteHeaders, at: n) }
        guard p[lineEnd + 1] == SIPBytes.lf else { throw SIPParseError(.badLineEnding, at: lineEnd) }
        guard lineEnd > 0 else { throw SIPParseError(.badStartLine, at: 0) }
        layout.startLineEnd = lineEnd + 2
        if isSIPVersionPrefix(p, 0, lineEnd) {
            // Status-Line.
            guard lineEnd >= 8, isVersion20(p, 0) else { throw SIPParseError(.badVersion, at: 0) }
            guard lineEnd > 8, p[7] == SIPBytes.sp else { throw SIPParseError(.badStartLine, at: min(7, lineEnd)) }
            var i = 8
            var code = 0
            while i < lineEnd && SIPBytes.isDigit(p[i]) {
                code = code * 10 + Int(p[i] &- 0x30)
                i += 1
                if i - 8 > 3 { throw SIPParseError(.badStatusCode, at: 8) }
            }
            guard i - 8 == 3, (100...699).contains(code) else { throw SIPParseError(.badStatusCode, at: 8) }
            if i < lineEnd {
                guard p[i] == SIPBytes.sp else { throw SIPParseError(.badStatusCode, at: i) }
                i += 1
            }
            layout.isRequest = false
            layout.statusCode = code
            layout.reasonStart = i
            layout.reasonEnd = lineEnd
            return lineEnd + 2
        }
        var i = 0
        while i < lineEnd && SIPBytes.isToken(p[i]) { i += 1 }
        guard i > 0 else { throw SIPParseError(.badMethod, at: 0) }
        guard i < lineEnd, p[i] == SIPBytes.sp else { throw SIPParseError(i < lineEnd ? .badMethod : .badStartLine, at: i) }
        layout.methodEnd = i
        i += 1
        guard i < lineEnd, p[i] != SIPBytes.sp else { throw SIPParseError(.badStartLine, at: i) }
        guard p[lineEnd - 1] != SIPBytes.sp && p[lineEnd - 1] != SIPBytes.htab else {
            throw SIPParseError(.badStartLine, at: lineEnd - 1)
        }
        // The version is after the last SP; anything between is the Request-URI.
        var lastSP = lineEnd - 1
        while lastSP > i && p[lastSP] != SIPBytes.sp { lastSP -= 1 }
        guard lastSP > i else { throw SIPParseError(.badStartLine, at: i) }
        guard p[lastSP - 1] != SIPBytes.sp else { throw SIPParseError(.badStartLine, at: lastSP - 1) }
        guard isSIPVersionPrefix(p, lastSP + 1, lineEnd) else { throw SIPParseError(.badVersion, at: lastSP + 1) }
        guard lineEnd - (lastSP + 1) == 7, isVersion20(p, lastSP + 1) else { throw SIPParseError(.badVersion, at: lastSP + 1) }
        layout.uriStart = i
        layout.uriEnd = lastSP
        // Cheap shape check of the Request-URI: scheme ":" and no whitespace or controls.
        guard SIPBytes.isAlpha(p[i]) else { throw SIPParseError(.badRequestURI, at: i) }
        var sawColon = false
        var j = i
        while j < lastSP {
            let b = p[j]
            if b == UInt8(ascii: ":") { sawColon = true; j += 1; break }
            guard SIPBytes.isAlphaNum(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") else {
                throw SIPParseError(.badRequestURI, at: j)
            }
            j += 1
        }
        guard sawColon else { throw SIPParseError(.badRequestURI, at: i) }
        while j < lastSP {
            let b = p[j]
            guard b > SIPBytes.sp && b < 0x7F else { throw SIPParseError(.badRequestURI, at: j) }
            j += 1
        }
        layout.isRequest = true
        return lineEnd + 2
    }

    @inline(__always) static func isSIPVersionPrefix(_ p: UnsafeBufferPointer<UInt8>, _ at: Int, _ end: Int) -> Bool {
        end - at >= 4 && SIPBytes.lower(p[at]) == UInt8(ascii: "s") && SIPBytes.lower(p[at + 1]) == UInt8(ascii: "i")
            && SIPBytes.lower(p[at + 2]) == UInt8(ascii: "p") && p[at + 3] == UInt8(ascii: "/")
    }

    @inline(__always) static func isVersion20(_ p: UnsafeBufferPointer<UInt8>, _ at: Int) -> Bool {
        p[at + 4] == UInt8(ascii: "2") && p[at + 5] == UInt8(ascii: ".") && p[at + 6] == UInt8(ascii: "0")
    }
}
