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
            appendDecimal(i, into: &out)
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
        appendDecimal(Int64(b.count), into: &out)
        out.append(UInt8(ascii: ":"))
        out.append(contentsOf: b)
    }

    /// Decimal digits without going through `String` (which allocated for every integer and string length of
    /// every reply: ~1% of the relay's CPU per call).
    static func appendDecimal(_ value: Int64, into out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        // The magnitude as unsigned, so Int64.min does not overflow.
        var magnitude = value.magnitude
        if magnitude < 10 {
            out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for the 20 digits of UInt64.max
        withUnsafeMutableBytes(of: &digits) { buffer in
            var index = buffer.count
            while magnitude > 0 {
                index -= 1
                buffer[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[index...]))
        }
    }
}
