/// A value in an ng control message, shared by the bencode and the JSON forms.
///
/// Bencode has only byte strings, integers, lists and dictionaries; JSON input is folded into the same four cases
/// (see `JSONValueDecoder`) so the typed command layer never cares which form arrived.
public indirect enum NGValue: Sendable, Equatable {
    case string([UInt8])
    case int(Int64)
    case list([NGValue])
    case dict(NGDictionary)

    /// A UTF-8 string value.
    public static func text(_ s: String) -> NGValue { .string(Array(s.utf8)) }

    public var bytes: [UInt8]? {
        if case .string(let b) = self { return b }
        return nil
    }

    /// The string value decoded as UTF-8 (invalid sequences become U+FFFD).
    public var stringValue: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    /// An integer, or a string of optional `-` plus decimal digits (rtpengine accepts both for numeric keys).
    public var integerValue: Int64? {
        switch self {
        case .int(let i): return i
        case .string(let b): return NGValue.parseInteger(b[...])
        default: return nil
        }
    }

    public var listValue: [NGValue]? {
        if case .list(let l) = self { return l }
        return nil
    }

    public var dictValue: NGDictionary? {
        if case .dict(let d) = self { return d }
        return nil
    }

    /// Decimal digits with an optional leading `-`, overflow-checked.
    static func parseInteger(_ b: ArraySlice<UInt8>) -> Int64? {
        var digits = b
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 19 else { return nil }
        var value: Int64 = 0
        for d in digits {
            guard d >= 0x30, d <= 0x39 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = negative ? m.subtractingReportingOverflow(Int64(d - 0x30))
                                   : m.addingReportingOverflow(Int64(d - 0x30))
            guard !o1, !o2 else { return nil }
            value = a
        }
        return value
    }
}
