/// Encodes `NGValue` as bencode, keeping dictionary order as given (rtpengine accepts any order).
public enum BencodeEncoder {
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
            out.append(UInt8(ascii: "i"))
            out.append(contentsOf: String(i).utf8)
            out.append(UInt8(ascii: "e"))
        case .list(let l):
            out.append(UInt8(ascii: "l"))
            for v in l { encode(v, into: &out) }
            out.append(UInt8(ascii: "e"))
        case .dict(let d):
            out.append(UInt8(ascii: "d"))
            for e in d.entries {
                appendString(e.key, into: &out)
                encode(e.value, into: &out)
            }
            out.append(UInt8(ascii: "e"))
        }
    }

    private static func appendString(_ b: [UInt8], into out: inout [UInt8]) {
        out.append(contentsOf: String(b.count).utf8)
        out.append(UInt8(ascii: ":"))
        out.append(contentsOf: b)
    }
}
