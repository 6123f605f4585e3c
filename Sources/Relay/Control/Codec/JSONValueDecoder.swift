/// A small strict JSON (RFC 8259) parser producing `NGValue`, for the JSON form of the ng protocol.
///
/// Mapping into the bencode value model (documented decisions):
/// - strings → `.string` UTF-8 bytes; escapes including `\uXXXX` and surrogate pairs are decoded; lone surrogates,
///   raw control characters and invalid UTF-8 are errors;
/// - integers that fit `Int64` → `.int`; numbers with a fraction or exponent, or out of range, → `.string` holding
///   the literal text (rtpengine reads numeric keys from strings too, so nothing is lost);
/// - `true` → `.int(1)`, `false` → `.int(0)` (bencode has no booleans; rtpengine's own JSON path reads them as
///   numbers);
/// - `null` → dropped: a dictionary entry with a null value is omitted, a null list element is skipped.
public struct JSONValueDecoder {
    private let bytes: [UInt8]
    private let end: Int
    private let limits: NGLimits
    private var position: Int
    private var items = 0

    public static func decode(_ bytes: [UInt8], range: Range<Int>? = nil,
                              limits: NGLimits = .default) throws(NGDecodeError) -> NGValue {
        let r = range ?? 0..<bytes.count
        var d = JSONValueDecoder(bytes: bytes, end: min(r.upperBound, bytes.count), limits: limits,
                                 position: r.lowerBound)
        d.skipWhitespace()
        guard let value = try d.value(depth: 1) else { throw NGDecodeError(.notADictionary, at: r.lowerBound) }
        d.skipWhitespace()
        guard d.position >= d.end else { throw NGDecodeError(.trailingData, at: d.position) }
        return value
    }

    private init(bytes: [UInt8], end: Int, limits: NGLimits, position: Int) {
        self.bytes = bytes
        self.end = end
        self.limits = limits
        self.position = position
    }

    private mutating func skipWhitespace() {
        while position < end {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func peek() throws(NGDecodeError) -> UInt8 {
        guard position < end else { throw NGDecodeError(.unexpectedEnd, at: position) }
        return bytes[position]
    }

    private mutating func expect(_ b: UInt8) throws(NGDecodeError) {
        guard try peek() == b else { throw NGDecodeError(.unexpectedByte, at: position) }
        position += 1
    }

    /// nil means JSON `null`.
    private mutating func value(depth: Int) throws(NGDecodeError) -> NGValue? {
        items += 1
        guard items <= limits.maxItems else { throw NGDecodeError(.tooManyItems, at: position) }
        switch try peek() {
        case UInt8(ascii: "{"):
            guard depth <= limits.maxDepth else { throw NGDecodeError(.tooDeep, at: position) }
            return .dict(try object(depth: depth))
        case UInt8(ascii: "["):
            guard depth <= limits.maxDepth else { throw NGDecodeError(.tooDeep, at: position) }
            return .list(try array(depth: depth))
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .int(1)
        case UInt8(ascii: "f"):
            try literal("false")
            return .int(0)
        case UInt8(ascii: "n"):
            try literal("null")
            return nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try number()
        default:
            throw NGDecodeError(.unexpectedByte, at: position)
        }
    }

    private mutating func literal(_ word: StaticString) throws(NGDecodeError) {
        let start = position
        var p = word.utf8Start
        for _ in 0..<word.utf8CodeUnitCount {
            guard position < end else { throw NGDecodeError(.unexpectedEnd, at: position) }
            guard bytes[position] == p.pointee else { throw NGDecodeError(.unexpectedByte, at: start) }
            position += 1
            p += 1
        }
    }

    private mutating func object(depth: Int) throws(NGDecodeError) -> NGDictionary {
        position += 1
        var dict = NGDictionary()
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            position += 1
            return dict
        }
        while true {
            skipWhitespace()
            guard try peek() == UInt8(ascii: "\"") else { throw NGDecodeError(.invalidKey, at: position) }
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            if let v = try value(depth: depth + 1) { dict.entries.append(NGDictionary.Entry(key: key, value: v)) }
            skipWhitespace()
            let b = try peek()
            position += 1
            if b == UInt8(ascii: "}") { return dict }
            guard b == UInt8(ascii: ",") else { throw NGDecodeError(.unexpectedByte, at: position - 1) }
        }
    }

    private mutating func array(depth: Int) throws(NGDecodeError) -> [NGValue] {
        position += 1
        var list: [NGValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            position += 1
            return list
        }
        while true {
            skipWhitespace()
            if let v = try value(depth: depth + 1) { list.append(v) }
            skipWhitespace()
            let b = try peek()
            position += 1
            if b == UInt8(ascii: "]") { return list }
            guard b == UInt8(ascii: ",") else { throw NGDecodeError(.unexpectedByte, at: position - 1) }
        }
    }

    private mutating func string() throws(NGDecodeError) -> [UInt8] {
        let start = position
        position += 1  // opening quote
        var out: [UInt8] = []
        while true {
            guard position < end else { throw NGDecodeError(.unexpectedEnd, at: position) }
            guard out.count <= limits.maxStringBytes else { throw NGDecodeError(.stringTooLong, at: start) }
            let b = bytes[position]
            switch b {
            case UInt8(ascii: "\""):
                position += 1
                return out
            case UInt8(ascii: "\\"):
                try escape(into: &out)
            case 0..<0x20:
                throw NGDecodeError(.controlCharacter, at: position)
            case 0x20..<0x80:
                out.append(b)
                position += 1
            default:
                guard let n = JSONUTF8.sequenceLength(bytes, at: position, end: end) else {
                    throw NGDecodeError(.invalidUTF8, at: position)
                }
                out.append(contentsOf: bytes[position..<(position + n)])
                position += n
            }
        }
    }

    private mutating func escape(into out: inout [UInt8]) throws(NGDecodeError) {
        let start = position
        position += 1
        let c = try peek()
        position += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(c)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try hex4(escapeStart: start)
            switch unit {
            case 0xD800...0xDBFF:
                guard position + 1 < end, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
                else { throw NGDecodeError(.invalidSurrogate, at: start) }
                position += 2
                let low = try hex4(escapeStart: start)
                guard (0xDC00...0xDFFF).contains(low) else { throw NGDecodeError(.invalidSurrogate, at: start) }
                JSONUTF8.append(scalar: 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), to: &out)
            case 0xDC00...0xDFFF:
                throw NGDecodeError(.invalidSurrogate, at: start)
            default:
                JSONUTF8.append(scalar: unit, to: &out)
            }
        default:
            throw NGDecodeError(.invalidEscape, at: start)
        }
    }

    private mutating func hex4(escapeStart: Int) throws(NGDecodeError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard position < end else { throw NGDecodeError(.unexpectedEnd, at: position) }
            let b = bytes[position]
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - 0x30
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - 0x57
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - 0x37
            default: throw NGDecodeError(.invalidEscape, at: escapeStart)
            }
            v = v << 4 | UInt32(d)
            position += 1
        }
        return v
    }

    private mutating func number() throws(NGDecodeError) -> NGValue {
        let start = position
        func isDigit(_ p: Int) -> Bool { p < end && bytes[p] >= 0x30 && bytes[p] <= 0x39 }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard isDigit(position) else { throw NGDecodeError(.invalidInteger, at: start) }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if isDigit(position) { throw NGDecodeError(.invalidInteger, at: start) }
        } else {
            while isDigit(position) { position += 1 }
        }
        var integral = true
        if position < end, bytes[position] == UInt8(ascii: ".") {
            integral = false
            position += 1
            guard isDigit(position) else { throw NGDecodeError(.invalidInteger, at: start) }
            while isDigit(position) { position += 1 }
        }
        if position < end, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            integral = false
            position += 1
            if position < end, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard isDigit(position) else { throw NGDecodeError(.invalidInteger, at: start) }
            while isDigit(position) { position += 1 }
        }
        guard position - start <= 64 else { throw NGDecodeError(.invalidInteger, at: start) }
        let text = bytes[start..<position]
        if integral, let i = NGValue.parseInteger(text) { return .int(i) }
        return .string(Array(text))
    }
}
