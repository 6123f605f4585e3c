/// Edits the proxy needs beyond the codec's: removing one element of the Route set (§16.4, a
/// Route line may hold several comma-separated entries) and rewriting a status line (§16.7 step 6).
extension SIPMessage {
    /// Removes the first (`first == true`) or last element of the Route set; false when none.
    @discardableResult
    mutating func removeRouteElement(first: Bool) -> Bool {
        let indices = headerIndex.indices.filter { headerIndex[$0].kind == .route }
        guard let lineIndex = first ? indices.first : indices.last else { return false }
        let entry = headerIndex[lineIndex]
        var elements = SIPValueSplitter.split(bytes, entry.valueRange).map { SIPBytes.string(bytes, $0) }
        guard elements.count > 1 else {
            removeHeader(at: lineIndex)
            return true
        }
        if first { elements.removeFirst() } else { elements.removeLast() }
        do {
            try replaceHeaderValue(at: lineIndex, with: elements.joined(separator: ", "))
        } catch {
            removeHeader(at: lineIndex)
        }
        return true
    }

    /// Inserts a Route entry above all others (pre-loaded routes, §16.6 item 6).
    mutating func pushRoute(_ uri: SIPURI) throws(SIPParseError) {
        try prependHeader(.route, value: SIPNameAddress(uri: uri).description)
    }

    /// A copy of this response with another status code and reason phrase; everything else as is.
    func replacingStatus(_ status: Int, reason: String) throws(SIPParseError) -> SIPMessage {
        guard isResponse, (100...699).contains(status) else { throw SIPParseError(.badStatusCode, at: 0) }
        var i = 0
        while i + 1 < bytes.count && !(bytes[i] == SIPBytes.cr && bytes[i + 1] == SIPBytes.lf) { i += 1 }
        var out = Array("SIP/2.0 \(status) ".utf8)
        out.append(contentsOf: try Self.checkedValue(reason))
        out.append(contentsOf: bytes[i..<bytes.count])
        return try SIPMessage.parse(out)
    }
}
