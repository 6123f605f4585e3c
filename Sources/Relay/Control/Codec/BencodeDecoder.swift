/// Decodes bencode (BEP 3) into `NGValue`, enforcing `NGLimits`.
///
/// Works directly on the message bytes with an index; offsets in errors are positions in that buffer. Integers must
/// be canonical (`i0e`, no leading zeros, no `-0`); dictionary keys may come in any order and repeat (rtpengine does
/// not require sorted keys, and lookups take the first).
public struct BencodeDecoder {
    private let bytes: [UInt8]
    private let end: Int
    private let limits: NGLimits
    private var position: Int
    private var items = 0

    /// Decodes the single value in `bytes[range]`; only trailing CR/LF/space may follow it.
    public static func decode(_ bytes: [UInt8], range: Range<Int>? = nil,
                              limits: NGLimits = .default) throws(NGDecodeError) -> NGValue {
        let r = range ?? 0..<bytes.count
        var decoder = BencodeDecoder(bytes: bytes, end: r.upperBound, limits: limits, position: r.lowerBound)
        guard r.lowerBound < r.upperBound else { throw NGDecodeError(.unexpectedEnd, at: r.lowerBound) }
        let value = try decoder.value(depth: 1)
        while decoder.position < decoder.end {
            let b = bytes[decoder.position]
            guard b == 0x20 || b == 0x0A || b == 0x0D else { throw NGDecodeError(.trailingData, at: decoder.position) }
            decoder.position += 1
        }
        return value
    }

    private init(bytes: [UInt8], end: Int, limits: NGLimits, position: Int) {
        self.bytes = bytes
        self.end = min(end, bytes.count)
        self.limits = limits
        self.position = position
    }

    private mutating func peek() throws(NGDecodeError) -> UInt8 {
        guard position < end else { throw NGDecodeError(.unexpectedEnd, at: position) }
        return bytes[position]
    }

    private mutating func value(depth: Int) throws(NGDecodeError) -> NGValue {
        items += 1
        guard items <= limits.maxItems else { throw NGDecodeError(.tooManyItems, at: position) }
        let b = try peek()
        switch b {
        case UInt8(ascii: "i"):
            return .int(try integer())
        case UInt8(ascii: "l"):
            guard depth <= limits.maxDepth else { throw NGDecodeError(.tooDeep, at: position) }
            position += 1
            var list: [NGValue] = []
            while try peek() != UInt8(ascii: "e") {
                list.append(try value(depth: depth + 1))
            }
            position += 1
            return .list(list)
        case UInt8(ascii: "d"):
            guard depth <= limits.maxDepth else { throw NGDecodeError(.tooDeep, at: position) }
            position += 1
            var dict = NGDictionary()
            // A request's top-level dictionary has about ten keys: room for them up front instead of growing the
            // entry array four times (1, 2, 4, 8, 16) per message.
            if depth == 1 { dict.entries.reserveCapacity(16) }
            while try peek() != UInt8(ascii: "e") {
                guard bytes[position] >= 0x30, bytes[position] <= 0x39 else {
                    throw NGDecodeError(.invalidKey, at: position)
                }
                items += 1
                guard items <= limits.maxItems else { throw NGDecodeError(.tooManyItems, at: position) }
                let key = try string()
                dict.entries.append(NGDictionary.Entry(key: key, value: try value(depth: depth + 1)))
            }
            position += 1
            return .dict(dict)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .string(try string())
        default:
            throw NGDecodeError(.unexpectedByte, at: position)
        }
    }

    private mutating func integer() throws(NGDecodeError) -> Int64 {
        let start = position
        position += 1  // 'i'
        let digitsStart = position
        while try peek() != UInt8(ascii: "e") {
            position += 1
            guard position - digitsStart <= 20 else { throw NGDecodeError(.invalidInteger, at: start) }
        }
        let digits = bytes[digitsStart..<position]
        position += 1
        let unsigned = digits.first == UInt8(ascii: "-") ? digits.dropFirst() : digits
        guard let first = unsigned.first,
              !(first == UInt8(ascii: "0") && (unsigned.count > 1 || unsigned.count != digits.count)),
              let value = NGValue.parseInteger(digits)
        else { throw NGDecodeError(.invalidInteger, at: start) }
        return value
    }

    private mutating func string() throws(NGDecodeError) -> [UInt8] {
        let start = position
        var length = 0
        while true {
            let b = try peek()
            if b == UInt8(ascii: ":") { break }
            guard b >= 0x30, b <= 0x39 else { throw NGDecodeError(.invalidStringLength, at: position) }
            length = length * 10 + Int(b - 0x30)
            guard length <= limits.maxStringBytes else { throw NGDecodeError(.stringTooLong, at: start) }
            position += 1
        }
        position += 1  // ':'
        guard length <= end - position else { throw NGDecodeError(.unexpectedEnd, at: end) }
        let s = Array(bytes[position..<(position + length)])
        position += length
        return s
    }
}
