/// `CSeq: 1*DIGIT LWS Method` (RFC 3261 §20.16). The number must be below 2**31 (§8.1.1.5).
public struct SIPCSeq: Sendable, Hashable, CustomStringConvertible {
    public var sequence: UInt32
    public var method: SIPMethod

    public init(sequence: UInt32, method: SIPMethod) {
        self.sequence = sequence
        self.method = method
    }

    public var description: String { "\(sequence) \(method)" }

    static func parse(_ b: [UInt8], _ range: Range<Int>) throws(SIPParseError) -> SIPCSeq {
        var s = SIPValueScanner(b, range)
        s.skipLWS()
        guard let digits = s.digits() else { throw SIPParseError(.badCSeq, at: s.position) }
        let number = try SIPNumbers.bounded(b, digits, max: 0x7FFF_FFFF, error: .badCSeq)
        let before = s.position
        s.skipLWS()
        guard s.position > before, let method = s.token() else { throw SIPParseError(.badCSeq, at: s.position) }
        try s.expectEnd(.badCSeq)
        return SIPCSeq(sequence: UInt32(number), method: SIPMethod(b, method))
    }
}

/// The media type of Content-Type (RFC 3261 §20.15): `type "/" subtype *(SEMI m-parameter)`.
public struct SIPMediaType: Sendable, Hashable, CustomStringConvertible {
    public var type: String
    public var subtype: String
    public var parameters: [SIPParameter]

    public init(type: String, subtype: String, parameters: [SIPParameter] = []) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
    }

    /// Case-insensitive `type/subtype` comparison, e.g. `matches("application", "sdp")`.
    public func matches(_ type: String, _ subtype: String) -> Bool {
        self.type.lowercased() == type.lowercased() && self.subtype.lowercased() == subtype.lowercased()
    }

    public var description: String { "\(type)/\(subtype)" + parameters.serialized }

    static func parse(_ b: [UInt8], _ range: Range<Int>) throws(SIPParseError) -> SIPMediaType {
        var s = SIPValueScanner(b, range)
        s.skipLWS()
        guard let type = s.token(), s.consumeSeparator(UInt8(ascii: "/")), let subtype = s.token() else {
            throw SIPParseError(.badContentType, at: s.position)
        }
        let params = try s.parameters(.badContentType)
        try s.expectEnd(.badContentType)
        return SIPMediaType(type: SIPBytes.string(b, type), subtype: SIPBytes.string(b, subtype), parameters: params)
    }
}

/// Decimal scalars that must not overflow (RFC 4475 §3.1.2.4/5 scalar02, scalarlg).
enum SIPNumbers {
    static func bounded(_ b: [UInt8], _ range: Range<Int>, max: Int, error: SIPParseError.Kind) throws(SIPParseError) -> Int {
        var value = 0
        for i in range {
            value = value * 10 + Int(b[i] &- 0x30)
            guard value <= max else { throw SIPParseError(error, at: range.lowerBound) }
        }
        return value
    }

    /// A header value that is just `1*DIGIT` (Max-Forwards, Expires, Min-Expires...).
    static func whole(_ b: [UInt8], _ range: Range<Int>, max: Int, error: SIPParseError.Kind) throws(SIPParseError) -> Int {
        var s = SIPValueScanner(b, range)
        s.skipLWS()
        guard let digits = s.digits() else { throw SIPParseError(error, at: s.position) }
        try s.expectEnd(error)
        return try bounded(b, digits, max: max, error: error)
    }
}
