/// Whole-message checks for elements that must reject malformed messages (a UAS, a registrar, or
/// a proxy in strict mode). Parsing alone stays lazy; `validate()` decodes every header the codec
/// knows and the RFC 3261 §8.1.1 mandatory set.
extension SIPMessage {
    /// Throws the first problem found, checking in message order what RFC 3261 requires:
    /// Request-URI, To, From, Call-ID, CSeq (number and, for requests, method), Via, Max-Forwards,
    /// Contact, Content-Type, Expires, and that singleton headers appear once.
    public func validate() throws(SIPParseError) {
        _ = try validateDecoding()
    }

    /// `validate()`, keeping what it had to decode anyway: the Request-URI (nil for a response) and
    /// every Via value, top first. A proxy reads both again right after (loop check, `received`,
    /// Route processing); for a REGISTER answered at once that was each header parsed two or three times.
    func validateDecoding() throws(SIPParseError) -> (requestURI: SIPURI?, vias: [SIPVia]) {
        let uri = isRequest ? try requestURI : nil
        var vias: [SIPVia] = []
        var seen = SIPHeaderKindBits()
        for entry in layout.headers where entry.kind != .other {
            if entry.kind.isSingleton && !seen.insert(entry.kind) {
                throw SIPParseError(.duplicateHeader(entry.kind), at: entry.nameRange.lowerBound)
            }
            switch entry.kind {
            case .via:
                try forEachElement(entry.valueRange) { (range) throws(SIPParseError) in
                    vias.append(try SIPViaParser.parse(bytes, range))
                }
            case .from, .to:
                _ = try SIPNameAddressParser.parse(bytes, entry.valueRange)
            case .cseq:
                let cseq = try SIPCSeq.parse(bytes, entry.valueRange)
                if let method, cseq.method != method {
                    throw SIPParseError(.cseqMethodMismatch, at: entry.valueRange.lowerBound)
                }
            case .callID:
                _ = try Self.callID(bytes, entry.valueRange)
            case .maxForwards:
                _ = try SIPNumbers.whole(bytes, entry.valueRange, max: 255, error: .badMaxForwards)
            case .expires:
                _ = try SIPNumbers.whole(bytes, entry.valueRange, max: 0xFFFF_FFFF, error: .badExpires)
            case .contentType:
                _ = try SIPMediaType.parse(bytes, entry.valueRange)
            case .contact:
                if entry.valueRange.count == 1 && bytes[entry.valueRange.lowerBound] == UInt8(ascii: "*") { break }
                try forEachElement(entry.valueRange) { (range) throws(SIPParseError) in
                    _ = try SIPNameAddressParser.parse(bytes, range)
                }
            case .route, .recordRoute:
                try forEachElement(entry.valueRange) { (range) throws(SIPParseError) in
                    _ = try SIPNameAddressParser.parse(bytes, range)
                }
            default:
                break
            }
        }
        for kind in Self.mandatoryKinds where !seen.contains(kind) {
            throw SIPParseError(.missingHeader(kind), at: layout.headersEnd)
        }
        if firstHeader(.via) == nil { throw SIPParseError(.missingHeader(.via), at: layout.headersEnd) }
        return (uri, vias)
    }

    /// The RFC 3261 §8.1.1 headers besides Via (a constant: an array literal here was built per request).
    private static let mandatoryKinds: [SIPHeaderKind] = [.to, .from, .callID, .cseq]

    /// The elements of a comma-list value in order, as `SIPValueSplitter.split` gives them, without
    /// building the array (`validate()` runs for every request).
    private func forEachElement(_ range: Range<Int>, _ body: (Range<Int>) throws(SIPParseError) -> Void)
        throws(SIPParseError)
    {
        var rest: Range<Int>? = range
        while let current = rest {
            let (element, next) = SIPValueSplitter.first(bytes, current)
            try body(element)
            rest = next
        }
    }

    /// Whether this message still has what a proxy needs to answer it statelessly (e.g. with 400):
    /// a request with a parseable top Via, From, To, Call-ID and CSeq (RFC 3261 §8.2.6, §16.3).
    public var canBuildStatelessResponse: Bool {
        guard isRequest else { return false }
        do {
            guard try topVia != nil else { return false }
            _ = try from
            _ = try to
            _ = try callID
            _ = try cseq
            return true
        } catch {
            return false
        }
    }

    /// Indexes a message that `parse` rejected, as far as is needed to answer it with a 400:
    /// Content-Length problems are ignored (the body is dropped). Returns nil unless the result is
    /// a request that `canBuildStatelessResponse`.
    public static func salvageForErrorResponse(_ bytes: [UInt8], limits: SIPLimits = .default) -> SIPMessage? {
        guard bytes.count <= limits.maxMessageSize else { return nil }
        let layout: SIPMessageLayout
        do {
            layout = try bytes.withUnsafeBufferPointer { (p) throws(SIPParseError) -> SIPMessageLayout in
                try SIPMessageIndexer.index(p, limits: limits, mode: .lenient)
            }
        } catch {
            return nil
        }
        var message = SIPMessage(bytes: Array(bytes[0..<layout.bodyStart]), layout: layout)
        message.layout.contentLength = nil
        return message.canBuildStatelessResponse ? message : nil
    }
}

/// A set of header kinds as 256 bits (the kind is one byte): `validate()` runs for every request
/// and a `Set` cost an allocation and a hash per header line.
struct SIPHeaderKindBits {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// Adds `kind`; false when it was already there.
    mutating func insert(_ kind: SIPHeaderKind) -> Bool {
        let bit = UInt64(1) << UInt64(kind.rawValue & 63)
        let had: Bool
        switch kind.rawValue >> 6 {
        case 0: had = words.0 & bit != 0; words.0 |= bit
        case 1: had = words.1 & bit != 0; words.1 |= bit
        case 2: had = words.2 & bit != 0; words.2 |= bit
        default: had = words.3 & bit != 0; words.3 |= bit
        }
        return !had
    }

    func contains(_ kind: SIPHeaderKind) -> Bool {
        let bit = UInt64(1) << UInt64(kind.rawValue & 63)
        switch kind.rawValue >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }
}
