/// UTF-8 checks shared by the JSON decoder (reject invalid input) and encoder (replace invalid bytes from bencode).
enum JSONUTF8 {
    /// Length of the well-formed UTF-8 sequence starting at `i` (1...4), or nil if it is not well-formed
    /// (overlong forms, surrogates and code points above U+10FFFF are rejected, per RFC 3629).
    static func sequenceLength(_ b: [UInt8], at i: Int, end: Int) -> Int? {
        let b0 = b[i]
        if b0 < 0x80 { return 1 }
        func cont(_ k: Int) -> UInt8? {
            guard i + k < end else { return nil }
            let c = b[i + k]
            return (c & 0xC0) == 0x80 ? c : nil
        }
        switch b0 {
        case 0xC2...0xDF:
            return cont(1) != nil ? 2 : nil
        case 0xE0...0xEF:
            guard let c1 = cont(1), cont(2) != nil else { return nil }
            if b0 == 0xE0, c1 < 0xA0 { return nil }  // overlong
            if b0 == 0xED, c1 > 0x9F { return nil }  // surrogates
            return 3
        case 0xF0...0xF4:
            guard let c1 = cont(1), cont(2) != nil, cont(3) != nil else { return nil }
            if b0 == 0xF0, c1 < 0x90 { return nil }  // overlong
            if b0 == 0xF4, c1 > 0x8F { return nil }  // > U+10FFFF
            return 4
        default:
            return nil
        }
    }

    static func append(scalar v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80:
            out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        default:
            out.append(UInt8(0xF0 | ((v >> 18) & 0x07)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }
}
