/// Writes a response to a request straight from the request's bytes, indexing as it writes.
///
/// Why: `SIPMessage.response(to:...)` builds through `String` values and then re-parses what it
/// wrote; answering thousands of REGISTERs a second, that parse and the `String` work are a
/// measurable part of the CPU. Here the §8.2.6 lines (Via, From, Call-ID, CSeq, To) are copied as
/// byte spans, their index entries shifted from the request's, and added headers are written
/// with their entries recorded directly, so the result needs no parse. The bytes and the index
/// equal what `SIPMessage.response` plus `SIPMessage.parse` give (the unit tests compare both).
///
/// Added values are checked for CR, LF and NUL (`append` then returns false) so that a value
/// taken from a request can never split a line; header names are the caller's constants.
struct SIPResponseWriter {
    private var bytes: [UInt8]
    private var layout = SIPMessageLayout()

    /// Starts `SIP/2.0 <status> <reason>` and copies the request's Via, From, Call-ID, CSeq and To
    /// lines in request order; `toTag` is added to a To without a tag (`toHasTag` false, status
    /// not 100). Nil for a response, a status outside 100...699, or a reason with CR/LF/NUL.
    init?(respondingTo request: SIPMessage, status: Int, reason: String, toTag: [UInt8]?, toHasTag: Bool,
          extraCapacity: Int = 256)
    {
        guard request.isRequest, (100...699).contains(status) else { return nil }
        let source = request.bytes
        bytes = []
        bytes.reserveCapacity(request.layout.headersEnd + extraCapacity)
        bytes.append(contentsOf: "SIP/2.0 ".utf8)
        bytes.append(UInt8(truncatingIfNeeded: 0x30 + status / 100))
        bytes.append(UInt8(truncatingIfNeeded: 0x30 + status / 10 % 10))
        bytes.append(UInt8(truncatingIfNeeded: 0x30 + status % 10))
        bytes.append(SIPBytes.sp)
        layout.reasonStart = bytes.count
        for b in reason.utf8 {
            guard b != SIPBytes.cr && b != SIPBytes.lf && b != 0 else { return nil }
            bytes.append(b)
        }
        layout.reasonEnd = bytes.count
        bytes.append(SIPBytes.cr)
        bytes.append(SIPBytes.lf)
        layout.isRequest = false
        layout.statusCode = status
        layout.startLineEnd = bytes.count
        layout.headers.reserveCapacity(request.layout.headers.count + 4)
        for entry in request.layout.headers {
            switch entry.kind {
            case .via, .from, .callID, .cseq:
                copyLine(entry, from: source)
            case .to:
                if let toTag, !toHasTag, status != 100 {
                    var copied = entry
                    copied.shift(by: bytes.count - entry.nameRange.lowerBound)
                    bytes.append(contentsOf: source[entry.nameRange.lowerBound..<entry.valueRange.upperBound])
                    bytes.append(contentsOf: ";tag=".utf8)
                    for b in toTag {
                        guard b != SIPBytes.cr && b != SIPBytes.lf && b != 0 else { return nil }
                        bytes.append(b)
                    }
                    copied.valueEnd32 = Int32(truncatingIfNeeded: bytes.count)
                    bytes.append(SIPBytes.cr)
                    bytes.append(SIPBytes.lf)
                    copied.lineEnd32 = Int32(truncatingIfNeeded: bytes.count)
                    layout.headers.append(copied)
                } else {
                    copyLine(entry, from: source)
                }
            default:
                break
            }
        }
    }

    private mutating func copyLine(_ entry: SIPHeaderIndexEntry, from source: [UInt8]) {
        var copied = entry
        copied.shift(by: bytes.count - entry.nameRange.lowerBound)
        bytes.append(contentsOf: source[entry.lineRange])
        layout.headers.append(copied)
    }

    /// Appends `name: value` with `kind` as its index kind (the kind the parser gives `name`).
    /// `value` writes the value bytes; false (nothing kept) when they are empty or hold CR, LF or
    /// NUL, or start or end with whitespace (the parser would trim it and the index would differ).
    mutating func append(_ kind: SIPHeaderKind, name: StaticString, value: (inout [UInt8]) -> Void) -> Bool {
        let lineStart = bytes.count
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        let nameEnd = bytes.count
        bytes.append(UInt8(ascii: ":"))
        bytes.append(SIPBytes.sp)
        let valueStart = bytes.count
        value(&bytes)
        let valueEnd = bytes.count
        var valid = valueEnd > valueStart && !SIPBytes.isWSP(bytes[valueStart]) && !SIPBytes.isWSP(bytes[valueEnd - 1])
        if valid {
            for i in valueStart..<valueEnd where bytes[i] == SIPBytes.cr || bytes[i] == SIPBytes.lf || bytes[i] == 0 {
                valid = false
                break
            }
        }
        guard valid else {
            bytes.removeSubrange(lineStart...)
            return false
        }
        bytes.append(SIPBytes.cr)
        bytes.append(SIPBytes.lf)
        layout.headers.append(SIPHeaderIndexEntry(kind: kind, nameStart: lineStart, nameEnd: nameEnd,
                                                  valueStart: valueStart, valueEnd: valueEnd, lineEnd: bytes.count))
        return true
    }

    /// `append` for a value already in bytes.
    mutating func append(_ kind: SIPHeaderKind, name: StaticString, bytes value: some Collection<UInt8>) -> Bool {
        append(kind, name: name) { $0.append(contentsOf: value) }
    }

    /// Ends the header section with `Content-Length: 0` and the empty line (no body).
    mutating func finish() -> SIPMessage {
        let ok = append(.contentLength, name: "Content-Length") { $0.append(0x30) }
        assert(ok)
        layout.contentLength = 0
        layout.headersEnd = bytes.count
        bytes.append(SIPBytes.cr)
        bytes.append(SIPBytes.lf)
        return SIPMessage(bytes: bytes, layout: layout)
    }
}

extension SIPResponseWriter {
    /// Appends `n` in decimal (no `String`).
    static func appendDecimal(_ n: Int, to out: inout [UInt8]) {
        guard n > 0 else {
            out.append(0x30)
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var v = UInt(n)
        withUnsafeMutableBytes(of: &digits) { buffer in
            while v > 0 {
                buffer[count] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
                v /= 10
                count += 1
            }
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[i]) }
        }
    }
}
