/// Encodes `NGValue` as compact JSON, keeping dictionary order.
///
/// Byte strings are emitted as JSON strings: valid UTF-8 passes through, `"`/`\`/control characters are escaped,
/// and bytes that are not valid UTF-8 (possible when a value came from bencode) become U+FFFD, since JSON cannot
/// carry raw bytes. Integers are emitted as numbers.
public enum JSONValueEncoder {
    public static func encode(_ value: NGValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        encode(value, into: &out)
        return out
    }

    public static func encode(_ value: NGValue, into out: inout [UInt8]) {
        switch value {
        case .string(let b):
            appendString(b, into: &out)
        case .int(let i):
            out.append(contentsOf: String(i).utf8)
        case .list(let l):
            out.append(UInt8(ascii: "["))
            for (n, v) in l.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                encode(v, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .dict(let d):
            out.append(UInt8(ascii: "{"))
            for (n, e) in d.entries.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                appendString(e.key, into: &out)
                out.append(UInt8(ascii: ":"))
                encode(e.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func appendString(_ b: [UInt8], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var i = 0
        while i < b.count {
            let c = b[i]
            switch c {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(c); i += 1
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(c); i += 1
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n")); i += 1
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r")); i += 1
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t")); i += 1
            case 0..<0x20, 0x7F:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexDigits[Int(c >> 4)])
                out.append(hexDigits[Int(c & 0x0F)])
                i += 1
            case 0x20..<0x80:
                out.append(c)
                i += 1
            default:
                if let n = JSONUTF8.sequenceLength(b, at: i, end: b.count) {
                    out.append(contentsOf: b[i..<(i + n)])
                    i += n
                } else {
                    out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    i += 1
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
