/// A cursor over one header value (or one element of a comma list) inside the message bytes.
/// Errors it raises carry absolute byte offsets. Folds (CRLF + WSP) count as whitespace because
/// the indexer only lets a CRLF into a value range when WSP follows it.
struct SIPValueScanner {
    let bytes: [UInt8]
    var position: Int
    let end: Int

    init(_ bytes: [UInt8], _ range: Range<Int>) {
        self.bytes = bytes
        position = range.lowerBound
        end = min(range.upperBound, bytes.count)
    }

    var atEnd: Bool { position >= end }

    var peek: UInt8? { position < end ? bytes[position] : nil }

    mutating func skipLWS() {
        while position < end && SIPBytes.isLWS(bytes[position]) { position += 1 }
    }

    /// Skips LWS, then consumes `byte` if it is next (the `SWS x SWS` separators of §25.1).
    mutating func consumeSeparator(_ byte: UInt8) -> Bool {
        let saved = position
        skipLWS()
        if position < end && bytes[position] == byte {
            position += 1
            skipLWS()
            return true
        }
        position = saved
        return false
    }

    mutating func token() -> Range<Int>? {
        let start = position
        while position < end && SIPBytes.isToken(bytes[position]) { position += 1 }
        return position > start ? start..<position : nil
    }

    mutating func digits() -> Range<Int>? {
        let start = position
        while position < end && SIPBytes.isDigit(bytes[position]) { position += 1 }
        return position > start ? start..<position : nil
    }

    /// A quoted-string starting at the current `"`; returns the range including both quotes.
    /// `quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)`.
    mutating func quotedString(_ error: SIPParseError.Kind) throws(SIPParseError) -> Range<Int> {
        let start = position
        guard position < end && bytes[position] == UInt8(ascii: "\"") else { throw SIPParseError(error, at: position) }
        position += 1
        while position < end {
            let b = bytes[position]
            if b == UInt8(ascii: "\\") {
                guard position + 1 < end, bytes[position + 1] != SIPBytes.cr, bytes[position + 1] != SIPBytes.lf else {
                    throw SIPParseError(error, at: position)
                }
                position += 2
                continue
            }
            position += 1
            if b == UInt8(ascii: "\"") { return start..<position }
        }
        throw SIPParseError(error, at: start)
    }

    /// `*( SEMI generic-param )`, `generic-param = token [ EQUAL gen-value ]`,
    /// `gen-value = token / host / quoted-string`. Stops before a `,` or at the end.
    mutating func parameters(_ error: SIPParseError.Kind) throws(SIPParseError) -> [SIPParameter] {
        var result: [SIPParameter] = []
        while consumeSeparator(UInt8(ascii: ";")) {
            guard let name = token() else { throw SIPParseError(error, at: position) }
            var value: Range<Int>?
            if consumeSeparator(UInt8(ascii: "=")) {
                if peek == UInt8(ascii: "\"") {
                    value = try quotedString(error)
                } else {
                    let start = position
                    while position < end {
                        let b = bytes[position]
                        guard SIPBytes.isToken(b) || b == UInt8(ascii: "[") || b == UInt8(ascii: "]")
                            || b == UInt8(ascii: ":") else { break }
                        position += 1
                    }
                    guard position > start else { throw SIPParseError(error, at: position) }
                    value = start..<position
                }
            }
            result.append(SIPParameter(name: SIPBytes.string(bytes, name), value: value.map { SIPBytes.string(bytes, $0) }))
        }
        return result
    }

    /// Fails unless only whitespace remains.
    mutating func expectEnd(_ error: SIPParseError.Kind) throws(SIPParseError) {
        skipLWS()
        guard atEnd else { throw SIPParseError(error, at: position) }
    }
}
