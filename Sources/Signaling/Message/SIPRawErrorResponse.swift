/// The last resort for answering a request that neither the parser nor the lenient indexer accepts (RFC 4475's
/// `ltgtruri`, `lwsstart`, `badvers`, an unparseable From or CSeq...): a 400 (505 for another SIP version) built by
/// copying the raw Via, From, To, Call-ID and CSeq lines, as RFC 3261 §8.2.6.2 asks a response to, without
/// understanding them.
///
/// Why a separate scan: `salvageForErrorResponse` needs a start line it can index and header values it can parse;
/// these messages fail exactly there, and RFC 4475 still expects most of them to be answered. What is required:
/// a first line that looks like a request (a method token and a space, not `SIP/`), every one of Via, From, To,
/// Call-ID and CSeq present, and a CSeq whose method is not ACK (an ACK is never answered). Otherwise nil: the
/// caller drops and counts the message. Standard library only (the fuzz targets compile this folder).
public enum SIPRawErrorResponse {
    /// The response bytes, or nil when the message cannot be answered.
    public static func build(_ bytes: [UInt8], maxSize: Int = 65_535) -> [UInt8]? {
        guard !bytes.isEmpty, bytes.count <= maxSize else { return nil }
        let lines = headerLines(bytes)
        guard let first = lines.first, isRequestLine(first) else { return nil }
        var vias: [ArraySlice<UInt8>] = []
        var from: ArraySlice<UInt8>?, to: ArraySlice<UInt8>?, callID: ArraySlice<UInt8>?, cseq: ArraySlice<UInt8>?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = trimmed(line[line.startIndex..<colon])
            let value = trimmed(line[(colon + 1)...])
            switch lowercased(name) {
            case "via", "v": vias.append(value)
            case "from", "f": if from == nil { from = value }
            case "to", "t": if to == nil { to = value }
            case "call-id", "i": if callID == nil { callID = value }
            case "cseq": if cseq == nil { cseq = value }
            default: break
            }
        }
        guard !vias.isEmpty, let from, let to, let callID, let cseq, !cseq.isEmpty else { return nil }
        guard !endsWithAck(cseq) else { return nil }
        let status = hasOtherSIPVersion(first) ? "505 Version Not Supported" : "400 Bad Request"
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        out += Array("SIP/2.0 \(status)\r\n".utf8)
        for via in vias { out += Array("Via: ".utf8) + via + [13, 10] }
        out += Array("From: ".utf8) + from + [13, 10]
        out += Array("To: ".utf8) + to
        if !contains(to, "tag=") { out += Array(";tag=rawerr".utf8) }
        out += [13, 10]
        out += Array("Call-ID: ".utf8) + callID + [13, 10]
        out += Array("CSeq: ".utf8) + cseq + [13, 10]
        out += Array("Content-Length: 0\r\n\r\n".utf8)
        return out
    }

    /// The start line and the header lines up to the first empty line, folded continuation lines joined with a
    /// space (CRLF or bare LF line ends).
    static func headerLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard bytes[index] == 10 else {
                index += 1
                continue
            }
            var end = index
            if end > start && bytes[end - 1] == 13 { end -= 1 }
            let line = bytes[start..<end]
            if line.isEmpty { break }
            if let first = line.first, first == 32 || first == 9, let last = lines.popLast() {
                lines.append(ArraySlice(Array(last) + [32] + Array(trimmed(line))))
            } else {
                lines.append(line)
            }
            index += 1
            start = index
        }
        return lines
    }

    /// A method token (letters, digits, `-.!%*_+'~`) followed by a space, and not a status line.
    static func isRequestLine(_ line: ArraySlice<UInt8>) -> Bool {
        guard !line.starts(with: Array("SIP/".utf8)) else { return false }
        var sawToken = false
        for byte in line {
            if byte == 32 { return sawToken }
            let isAlnum = (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57)
            guard isAlnum || Array("-.!%*_+'~".utf8).contains(byte) else { return false }
            sawToken = true
        }
        return false
    }

    /// Whether the request line ends in a `SIP/x.y` version other than 2.0 (then 505, RFC 3261 §8.2.5... §21.5.7).
    static func hasOtherSIPVersion(_ line: ArraySlice<UInt8>) -> Bool {
        let words = line.split(separator: 32, omittingEmptySubsequences: true)
        guard let last = words.last, last.count > 4 else { return false }
        let upper = last.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }
        return upper.starts(with: Array("SIP/".utf8)) && upper != Array("SIP/2.0".utf8)
    }

    static func endsWithAck(_ cseq: ArraySlice<UInt8>) -> Bool {
        let words = cseq.split(whereSeparator: { $0 == 32 || $0 == 9 })
        guard let method = words.last else { return false }
        return lowercased(method) == "ack"
    }

    static func trimmed(_ slice: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = slice
        while let f = s.first, f == 32 || f == 9 { s = s.dropFirst() }
        while let l = s.last, l == 32 || l == 9 { s = s.dropLast() }
        return s
    }

    static func lowercased(_ slice: ArraySlice<UInt8>) -> String {
        String(decoding: slice.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }

    static func contains(_ slice: ArraySlice<UInt8>, _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard slice.count >= n.count else { return false }
        let lower = slice.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        for i in 0...(lower.count - n.count) where Array(lower[i..<(i + n.count)]) == n { return true }
        return false
    }
}
