/// In-place edits for proxies. Every edit splices the byte buffer and shifts the index, so bytes
/// outside the edited span stay exactly as received (no re-serialization of untouched headers).
/// Values given as text must not contain CR, LF or NUL (that would smuggle in extra header lines);
/// such values are refused with `.badLineEnding` at the offending offset within the value.
extension SIPMessage {
    // MARK: Primitive splicing

    mutating func splice(_ range: Range<Int>, with replacement: [UInt8]) {
        let delta = replacement.count - range.count
        bytes.replaceSubrange(range, with: replacement)
        layout.shift(from: range.upperBound, by: delta)
    }

    static func checkedValue(_ value: String) throws(SIPParseError) -> [UInt8] {
        let bytes = Array(value.utf8)
        for (i, b) in bytes.enumerated() where b == SIPBytes.cr || b == SIPBytes.lf || b == 0 {
            throw SIPParseError(.badLineEnding, at: i)
        }
        return bytes
    }

    static func checkedName(_ name: String) throws(SIPParseError) -> [UInt8] {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty else { throw SIPParseError(.badHeaderName, at: 0) }
        for (i, b) in bytes.enumerated() where !SIPBytes.isToken(b) { throw SIPParseError(.badHeaderName, at: i) }
        return bytes
    }

    // MARK: Header lines

    /// Inserts `name: value` before the header line at `index` (`headerIndex.count` appends).
    public mutating func insertHeader(name: String, value: String, at index: Int) throws(SIPParseError) {
        let nameBytes = try Self.checkedName(name)
        let valueBytes = try Self.checkedValue(value)
        try Self.checkContentLength(SIPHeaderKind.named(name), value)
        let position = min(max(index, 0), layout.headers.count)
        let lineStart = position < layout.headers.count ? layout.headers[position].lineRange.lowerBound : layout.headersEnd
        var line = nameBytes
        line.append(contentsOf: [UInt8(ascii: ":"), SIPBytes.sp])
        line.append(contentsOf: valueBytes)
        line.append(contentsOf: [SIPBytes.cr, SIPBytes.lf])
        splice(lineStart..<lineStart, with: line)
        let nameEnd = lineStart + nameBytes.count
        let valueStart = nameEnd + 2
        let trimmed = SIPValueSplitter.trim(bytes, valueStart..<(valueStart + valueBytes.count))
        let kind = nameBytes.withUnsafeBufferPointer { SIPHeaderKind.lookup($0, 0, $0.count) }
        layout.headers.insert(
            SIPHeaderIndexEntry(kind: kind, nameStart: lineStart, nameEnd: nameEnd, valueStart: trimmed.lowerBound,
                                valueEnd: trimmed.upperBound, lineEnd: lineStart + line.count),
            at: position)
        if kind == .contentLength { layout.contentLength = Int(value.trimmingWhitespace) }
    }

    /// Content-Length written by an edit must stay a number the parser accepts, or framing breaks.
    static func checkContentLength(_ kind: SIPHeaderKind, _ value: String) throws(SIPParseError) {
        guard kind == .contentLength else { return }
        let text = value.trimmingWhitespace
        guard text.utf8.allSatisfy(SIPBytes.isDigit), let n = Int(text), n <= SIPMessageIndexer.maxContentLength else {
            throw SIPParseError(.badContentLength, at: 0)
        }
    }

    public mutating func insertHeader(_ kind: SIPHeaderKind, value: String, at index: Int) throws(SIPParseError) {
        try insertHeader(name: kind.canonicalName, value: value, at: index)
    }

    /// Appends a header line after the last one.
    public mutating func appendHeader(_ kind: SIPHeaderKind, value: String) throws(SIPParseError) {
        try insertHeader(kind, value: value, at: layout.headers.count)
    }

    public mutating func appendHeader(name: String, value: String) throws(SIPParseError) {
        try insertHeader(name: name, value: value, at: layout.headers.count)
    }

    /// Inserts a header line above the first line of the same kind (or above all headers when
    /// there is none): how a proxy pushes a Via or adds a Record-Route (RFC 3261 §16.6).
    public mutating func prependHeader(_ kind: SIPHeaderKind, value: String) throws(SIPParseError) {
        let index = layout.headers.firstIndex { $0.kind == kind } ?? 0
        try insertHeader(kind, value: value, at: index)
    }

    /// Removes the header line at `index`.
    public mutating func removeHeader(at index: Int) {
        guard layout.headers.indices.contains(index) else { return }
        let entry = layout.headers.remove(at: index)
        splice(entry.lineRange, with: [])
        if entry.kind == .contentLength { layout.contentLength = nil }
    }

    /// Removes every header line of this kind.
    public mutating func removeHeaders(_ kind: SIPHeaderKind) {
        while let index = layout.headers.lastIndex(where: { $0.kind == kind }) { removeHeader(at: index) }
    }

    /// Replaces the value of the header line at `index`, keeping its name as written.
    public mutating func replaceHeaderValue(at index: Int, with value: String) throws(SIPParseError) {
        guard layout.headers.indices.contains(index) else { return }
        let valueBytes = try Self.checkedValue(value)
        let entry = layout.headers[index]
        try Self.checkContentLength(entry.kind, value)
        let delta = valueBytes.count - entry.valueRange.count
        splice(entry.valueRange, with: valueBytes)
        layout.headers[index].valueEnd32 &+= Int32(truncatingIfNeeded: delta)
        layout.headers[index].lineEnd32 &+= Int32(truncatingIfNeeded: delta)
        if entry.kind == .contentLength { layout.contentLength = Int(value.trimmingWhitespace) }
    }

    /// Makes the message carry exactly one `kind` header with this value (replacing the first,
    /// dropping the rest, or appending).
    public mutating func setHeader(_ kind: SIPHeaderKind, value: String) throws(SIPParseError) {
        guard let first = layout.headers.firstIndex(where: { $0.kind == kind }) else {
            try appendHeader(kind, value: value)
            return
        }
        try replaceHeaderValue(at: first, with: value)
        while let last = layout.headers.lastIndex(where: { $0.kind == kind }), last != first { removeHeader(at: last) }
    }

    // MARK: Proxy operations

    /// Pushes a Via on top (RFC 3261 §16.6 step 8).
    public mutating func pushVia(_ via: SIPVia) throws(SIPParseError) {
        try prependHeader(.via, value: via.description)
    }

    /// Removes the topmost Via value (RFC 3261 §16.7 step 3); only the first element when the
    /// top line holds several. Returns false when there was no Via.
    @discardableResult
    public mutating func popVia() -> Bool {
        guard let index = layout.headers.firstIndex(where: { $0.kind == .via }) else { return false }
        let entry = layout.headers[index]
        let (_, rest) = SIPValueSplitter.first(bytes, entry.valueRange)
        guard let rest else {
            removeHeader(at: index)
            return true
        }
        let remaining = SIPValueSplitter.trim(bytes, rest)
        let cut = entry.valueRange.lowerBound..<remaining.lowerBound
        splice(cut, with: [])
        layout.headers[index].valueEnd32 &-= Int32(truncatingIfNeeded: cut.count)
        layout.headers[index].lineEnd32 &-= Int32(truncatingIfNeeded: cut.count)
        return true
    }

    /// Sets `received` and/or fills `rport` on the top Via (RFC 3261 §18.2.1, RFC 3581 §4).
    /// Only the top Via element is rewritten.
    public mutating func setTopViaReceived(_ received: String?, rport: Int?) throws(SIPParseError) {
        guard let index = layout.headers.firstIndex(where: { $0.kind == .via }) else {
            throw SIPParseError(.missingHeader(.via), at: layout.headersEnd)
        }
        let element = SIPValueSplitter.first(bytes, layout.headers[index].valueRange).element
        try setTopViaReceived(received, rport: rport, parsed: try SIPViaParser.parse(bytes, element), index: index,
                              element: element)
    }

    /// `setTopViaReceived` for a caller that has already parsed the top Via (`topVia`), which is
    /// then not parsed again; returns the Via as written.
    @discardableResult
    public mutating func setTopViaReceived(_ received: String?, rport: Int?, topVia: SIPVia) throws(SIPParseError)
        -> SIPVia
    {
        guard let index = layout.headers.firstIndex(where: { $0.kind == .via }) else {
            throw SIPParseError(.missingHeader(.via), at: layout.headersEnd)
        }
        let element = SIPValueSplitter.first(bytes, layout.headers[index].valueRange).element
        return try setTopViaReceived(received, rport: rport, parsed: topVia, index: index, element: element)
    }

    @discardableResult
    private mutating func setTopViaReceived(_ received: String?, rport: Int?, parsed: SIPVia, index: Int,
                                            element: Range<Int>) throws(SIPParseError) -> SIPVia
    {
        var via = parsed
        func set(_ name: String, _ value: String) {
            if let i = via.parameters.firstIndex(where: { $0.name.lowercased() == name }) {
                via.parameters[i].value = value
            } else {
                via.parameters.append(SIPParameter(name: name, value: value))
            }
        }
        if let received { set("received", received) }
        if let rport { set("rport", String(rport)) }
        let replacement = try Self.checkedValue(via.description)
        let delta = replacement.count - element.count
        splice(element, with: replacement)
        layout.headers[index].valueEnd32 &+= Int32(truncatingIfNeeded: delta)
        layout.headers[index].lineEnd32 &+= Int32(truncatingIfNeeded: delta)
        return via
    }

    /// Adds a Record-Route value on top (RFC 3261 §16.6 step 4).
    public mutating func addRecordRoute(_ address: SIPNameAddress) throws(SIPParseError) {
        var bracketed = address
        bracketed.usesAngleBrackets = true
        try prependHeader(.recordRoute, value: bracketed.description)
    }

    /// Replaces the Request-URI (RFC 3261 §16.6 step 2, §16.12).
    public mutating func setRequestURI(_ uri: SIPURI) throws(SIPParseError) {
        guard layout.isRequest else { throw SIPParseError(.badStartLine, at: 0) }
        let text = Array(uri.description.utf8)
        _ = try SIPURIParser.parse(text, 0..<text.count, context: .requestURI)
        splice(layout.uriStart..<layout.uriEnd, with: text)
    }

    public mutating func setMaxForwards(_ value: Int) throws(SIPParseError) {
        guard (0...255).contains(value) else { throw SIPParseError(.badMaxForwards, at: 0) }
        try setHeader(.maxForwards, value: String(value))
    }

    /// Replaces the body and makes Content-Length (and Content-Type, when given) match it.
    public mutating func setBody(_ body: [UInt8], contentType: String? = nil) throws(SIPParseError) {
        if let contentType { try setHeader(.contentType, value: contentType) }
        try setHeader(.contentLength, value: String(body.count))
        splice(layout.bodyStart..<bytes.count, with: body)
        layout.contentLength = body.count
    }
}

extension String {
    var trimmingWhitespace: Substring {
        var s = self[...]
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return s
    }
}
