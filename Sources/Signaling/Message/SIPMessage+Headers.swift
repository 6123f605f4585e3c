/// Header look-up and the typed, parse-on-demand accessors. Nothing here is cached: each call
/// decodes from the bytes, which is cheap for one header and free for the ones never read.
extension SIPMessage {
    /// The first header line of this kind.
    public func firstHeader(_ kind: SIPHeaderKind) -> SIPHeaderIndexEntry? {
        for entry in layout.headers where entry.kind == kind { return entry }
        return nil
    }

    /// How many header *lines* of this kind the message has.
    public func headerCount(_ kind: SIPHeaderKind) -> Int {
        var count = 0
        for entry in layout.headers where entry.kind == kind { count += 1 }
        return count
    }

    /// The header name as written on the line.
    public func name(of entry: SIPHeaderIndexEntry) -> String { SIPBytes.string(bytes, entry.nameRange) }

    /// The raw value as written (folds included).
    public func value(of entry: SIPHeaderIndexEntry) -> String { SIPBytes.string(bytes, entry.valueRange) }

    /// Every value of a header kind, comma lists split into elements, in order.
    public func values(_ kind: SIPHeaderKind) -> [String] { valueRanges(kind).map { SIPBytes.string(bytes, $0) } }

    /// Every value of a header given by name (any spelling, compact forms, or an unknown header's name).
    public func values(named name: String) -> [String] {
        let kind = SIPHeaderKind.named(name)
        if kind != .other { return values(kind) }
        let wanted = Array(name.lowercased().utf8)
        return layout.headers.compactMap { entry in
            guard entry.kind == .other, entry.nameRange.count == wanted.count else { return nil }
            for (k, i) in entry.nameRange.enumerated() where SIPBytes.lower(bytes[i]) != wanted[k] { return nil }
            return SIPBytes.string(bytes, entry.valueRange)
        }
    }

    func valueRanges(_ kind: SIPHeaderKind) -> [Range<Int>] {
        var result: [Range<Int>] = []
        for entry in layout.headers where entry.kind == kind {
            if kind.isCommaList {
                result.append(contentsOf: SIPValueSplitter.split(bytes, entry.valueRange))
            } else {
                result.append(entry.valueRange)
            }
        }
        return result
    }

    /// The value range of a header that must appear at most once.
    func singleValueRange(_ kind: SIPHeaderKind) throws(SIPParseError) -> Range<Int>? {
        var found: SIPHeaderIndexEntry?
        for entry in layout.headers where entry.kind == kind {
            if found != nil { throw SIPParseError(.duplicateHeader(kind), at: entry.nameRange.lowerBound) }
            found = entry
        }
        return found?.valueRange
    }

    func requiredValueRange(_ kind: SIPHeaderKind) throws(SIPParseError) -> Range<Int> {
        guard let range = try singleValueRange(kind) else { throw SIPParseError(.missingHeader(kind), at: layout.headersEnd) }
        return range
    }

    // MARK: Typed accessors

    /// All Via values, top first.
    public var via: [SIPVia] {
        get throws(SIPParseError) {
            var result: [SIPVia] = []
            for range in valueRanges(.via) { result.append(try SIPViaParser.parse(bytes, range)) }
            return result
        }
    }

    /// The topmost Via value, decoding nothing else (what a proxy reads for every message).
    public var topVia: SIPVia? {
        get throws(SIPParseError) {
            guard let entry = firstHeader(.via) else { return nil }
            return try SIPViaParser.parse(bytes, SIPValueSplitter.first(bytes, entry.valueRange).element)
        }
    }

    public var cseq: SIPCSeq {
        get throws(SIPParseError) { try SIPCSeq.parse(bytes, requiredValueRange(.cseq)) }
    }

    /// Call-ID = `word [ "@" word ]` (RFC 3261 §20.8).
    public var callID: String {
        get throws(SIPParseError) {
            try Self.callID(bytes, requiredValueRange(.callID))
        }
    }

    static func callID(_ bytes: [UInt8], _ range: Range<Int>) throws(SIPParseError) -> String {
        guard !range.isEmpty else { throw SIPParseError(.badCallID, at: range.lowerBound) }
        var ats = 0
        for i in range {
            let c = bytes[i]
            if c == UInt8(ascii: "@") {
                ats += 1
                guard ats == 1, i > range.lowerBound, i + 1 < range.upperBound else { throw SIPParseError(.badCallID, at: i) }
            } else if !SIPBytes.isWord(c) {
                throw SIPParseError(.badCallID, at: i)
            }
        }
        return SIPBytes.string(bytes, range)
    }

    public var from: SIPNameAddress {
        get throws(SIPParseError) { try SIPNameAddressParser.parse(bytes, requiredValueRange(.from)) }
    }

    public var to: SIPNameAddress {
        get throws(SIPParseError) { try SIPNameAddressParser.parse(bytes, requiredValueRange(.to)) }
    }

    /// All Contact values (empty list when there is no Contact).
    public var contacts: SIPContactList {
        get throws(SIPParseError) {
            let ranges = valueRanges(.contact)
            if ranges.count == 1, ranges[0].count == 1, bytes[ranges[0].lowerBound] == UInt8(ascii: "*") { return .wildcard }
            var result: [SIPNameAddress] = []
            for range in ranges {
                if range.count == 1 && bytes[range.lowerBound] == UInt8(ascii: "*") {
                    throw SIPParseError(.badNameAddress, at: range.lowerBound)  // "*" mixed with addresses
                }
                result.append(try SIPNameAddressParser.parse(bytes, range))
            }
            return .addresses(result)
        }
    }

    public var routes: [SIPNameAddress] {
        get throws(SIPParseError) { try nameAddresses(.route) }
    }

    public var recordRoutes: [SIPNameAddress] {
        get throws(SIPParseError) { try nameAddresses(.recordRoute) }
    }

    /// Every value of a header whose elements are name-addr/addr-spec (Route, Path, P-Asserted-Identity, ...).
    public func nameAddresses(_ kind: SIPHeaderKind) throws(SIPParseError) -> [SIPNameAddress] {
        var result: [SIPNameAddress] = []
        for range in valueRanges(kind) { result.append(try SIPNameAddressParser.parse(bytes, range)) }
        return result
    }

    /// Max-Forwards (0...255), nil when absent.
    public var maxForwards: Int? {
        get throws(SIPParseError) {
            guard let range = try singleValueRange(.maxForwards) else { return nil }
            return try SIPNumbers.whole(bytes, range, max: 255, error: .badMaxForwards)
        }
    }

    /// Expires delta-seconds (0...2**32-1), nil when absent. A registrar may choose to treat a
    /// `.badExpires` as its default expiry (RFC 4475 §3.1.2.4).
    public var expires: Int? {
        get throws(SIPParseError) {
            guard let range = try singleValueRange(.expires) else { return nil }
            return try SIPNumbers.whole(bytes, range, max: 0xFFFF_FFFF, error: .badExpires)
        }
    }

    /// Content-Length as read at parse time (nil when absent).
    public var contentLength: Int? { layout.contentLength }

    public var contentType: SIPMediaType? {
        get throws(SIPParseError) {
            guard let range = try singleValueRange(.contentType) else { return nil }
            return try SIPMediaType.parse(bytes, range)
        }
    }
}
