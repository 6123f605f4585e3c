/// Byte classes from the RFC 3261 §25.1 ABNF, as branch-only functions (no tables, so no lazy
/// global initialisation on the hot path).
enum SIPBytes {
    // Computed, not stored: a stored static would cost a lazy-initialisation check on every use.
    @inline(__always) static var cr: UInt8 { 0x0D }
    @inline(__always) static var lf: UInt8 { 0x0A }
    @inline(__always) static var sp: UInt8 { 0x20 }
    @inline(__always) static var htab: UInt8 { 0x09 }

    @inline(__always) static func isWSP(_ b: UInt8) -> Bool { b == sp || b == htab }

    /// Whitespace inside a header value: SP, HTAB, and the CRLF of a fold (the indexer has already
    /// checked that every CRLF inside a value is followed by WSP).
    @inline(__always) static func isLWS(_ b: UInt8) -> Bool { b == sp || b == htab || b == cr || b == lf }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

    @inline(__always) static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }

    @inline(__always) static func isAlphaNum(_ b: UInt8) -> Bool { isAlpha(b) || isDigit(b) }

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }

    @inline(__always) static func isHex(_ b: UInt8) -> Bool { isDigit(b) || (b | 0x20) &- 0x61 < 6 }

    @inline(__always) static func hexValue(_ b: UInt8) -> UInt8 { isDigit(b) ? b &- 0x30 : (b | 0x20) &- 0x61 &+ 10 }

    /// `token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")`, as a
    /// 128-bit membership mask (bits 0-63 and 64-127).
    @inline(__always) static func isToken(_ b: UInt8) -> Bool {
        let bit = UInt64(1) &<< UInt64(b & 63)
        switch b >> 6 {
        case 0: return 0x03FF_6CA2_0000_0000 & bit != 0
        case 1: return 0x47FF_FFFF_87FF_FFFE & bit != 0
        default: return false
        }
    }

    /// `word` (Call-ID): token characters plus `( ) < > : \ " / [ ] ? { }`.
    @inline(__always) static func isWord(_ b: UInt8) -> Bool {
        if isToken(b) { return true }
        switch b {
        case 0x28, 0x29, 0x3C, 0x3E, 0x3A, 0x5C, 0x22, 0x2F, 0x5B, 0x5D, 0x3F, 0x7B, 0x7D: return true
        default: return false
        }
    }

    /// `unreserved = alphanum / mark`, `mark = - _ . ! ~ * ' ( )`.
    @inline(__always) static func isUnreserved(_ b: UInt8) -> Bool {
        if isAlphaNum(b) { return true }
        switch b {
        case 0x2D, 0x5F, 0x2E, 0x21, 0x7E, 0x2A, 0x27, 0x28, 0x29: return true
        default: return false
        }
    }

    /// Characters a URI may contain unescaped anywhere (RFC 3986 reserved + unreserved + `%`),
    /// used for the Request-URI span and opaque absolute URIs.
    @inline(__always) static func isURIChar(_ b: UInt8) -> Bool {
        if isUnreserved(b) { return true }
        switch b {
        case 0x25, 0x3B, 0x2F, 0x3F, 0x3A, 0x40, 0x26, 0x3D, 0x2B, 0x24, 0x2C, 0x5B, 0x5D, 0x23: return true
        default: return false
        }
    }

    /// Offset of the first CR or LF at or after `from` (or `end`), eight bytes at a time: header
    /// values are most of a message and this keeps their scan at a fraction of a cycle per byte.
    @inline(__always) static func findLineBreak(_ p: UnsafeBufferPointer<UInt8>, from: Int, end: Int) -> Int {
        var i = from
        if let base = p.baseAddress {
            let raw = UnsafeRawPointer(base)
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            while i + 8 <= end {
                let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let x = w ^ (ones &* 0x0D)
                let y = w ^ (ones &* 0x0A)
                let t = ((x &- ones) & ~x | (y &- ones) & ~y) & highs
                if t != 0 { return i + (t.trailingZeroBitCount >> 3) }
                i += 8
            }
        }
        while i < end && p[i] != cr && p[i] != lf { i += 1 }
        return i
    }

    /// Decodes a byte range to a String (invalid UTF-8 is repaired, never trapped on).
    @inline(__always) static func string(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// Case-insensitive comparison of a byte range with an ASCII literal (given lowercased).
    static func equalsLowercased(_ bytes: [UInt8], _ range: Range<Int>, _ lowered: StaticString) -> Bool {
        guard range.count == lowered.utf8CodeUnitCount else { return false }
        return lowered.withUTF8Buffer { lit in
            var i = range.lowerBound
            for c in lit {
                if lower(bytes[i]) != c { return false }
                i += 1
            }
            return true
        }
    }
}
