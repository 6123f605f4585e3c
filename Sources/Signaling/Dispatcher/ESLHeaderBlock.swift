/// Reads a block of `Name: value` lines ended by an empty line; shared by the frame envelope and
/// the plain event body. Lines end in LF (FreeSWITCH) or CRLF.
enum ESLHeaderBlock {
    struct Parsed {
        var headers: [ESLHeaderField]
        /// Index just past the terminating empty line.
        var end: Int
        var contentLength: Int?
    }

    /// Parses from `start`; nil if the terminating empty line has not arrived (or, with
    /// `endIsTerminator`, the block ends at `bytes.count`). `base` is added to error offsets.
    static func parse(_ bytes: [UInt8], from start: Int, base: Int, decodeValues: Bool,
                      endIsTerminator: Bool = false) throws(ESLParseError) -> Parsed?
    {
        var headers: [ESLHeaderField] = []
        var contentLength: Int?
        var lineStart = start
        while true {
            guard let newline = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) else {
                if endIsTerminator {
                    if lineStart < bytes.count {
                        let field = try parseLine(bytes, lineStart, bytes.count, base: base, decode: decodeValues)
                        headers.append(field)
                    }
                    return Parsed(headers: headers, end: bytes.count, contentLength: contentLength)
                }
                return nil
            }
            var lineEnd = newline
            if lineEnd > lineStart, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            if lineEnd == lineStart {
                return Parsed(headers: headers, end: newline + 1, contentLength: contentLength)
            }
            let field = try parseLine(bytes, lineStart, lineEnd, base: base, decode: decodeValues)
            if field.name.lowercased() == "content-length" {
                contentLength = try parseLength(field.value, offset: base + lineStart)
            }
            headers.append(field)
            lineStart = newline + 1
        }
    }

    private static func parseLine(_ bytes: [UInt8], _ start: Int, _ end: Int, base: Int,
                                  decode: Bool) throws(ESLParseError) -> ESLHeaderField
    {
        guard let colon = bytes[start..<end].firstIndex(of: UInt8(ascii: ":")), colon > start else {
            throw ESLParseError(.malformedHeaderLine, at: base + start)
        }
        var valueStart = colon + 1
        while valueStart < end, bytes[valueStart] == UInt8(ascii: " ") || bytes[valueStart] == UInt8(ascii: "\t") {
            valueStart += 1
        }
        let name = String(decoding: bytes[start..<colon], as: UTF8.self)
        let rawValue = bytes[valueStart..<end]
        let value = decode ? ESLURLCoding.decode(rawValue) : String(decoding: rawValue, as: UTF8.self)
        return ESLHeaderField(name: name, value: value)
    }

    static func parseLength(_ text: String, offset: Int) throws(ESLParseError) -> Int {
        var value = 0
        var digits = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw ESLParseError(.badContentLength, at: offset) }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
            guard value <= ESLFrameParser.maximumBodyLength else { throw ESLParseError(.bodyTooLarge, at: offset) }
        }
        guard digits > 0 else { throw ESLParseError(.badContentLength, at: offset) }
        return value
    }
}
