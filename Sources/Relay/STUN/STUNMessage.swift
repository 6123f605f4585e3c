/// One parsed STUN message (RFC 8489 §5, §14): header fields plus the attributes as (type, range) pairs into the
/// message bytes, which it keeps, so a value is copied only when a caller asks for it.
///
/// Parsing checks the framing only (header, TLV bounds, FINGERPRINT last, MESSAGE-INTEGRITY/FINGERPRINT sizes);
/// whether the integrity and fingerprint *values* are right is a separate question (`fingerprintIsValid`,
/// `STUNMessageIntegrity.isValid`), because it needs a key or is optional. Attributes after MESSAGE-INTEGRITY
/// other than FINGERPRINT are ignored, as §14.5 requires.
public struct STUNMessage: Sendable {
    public struct Attribute: Hashable, Sendable {
        public var type: UInt16
        /// Where the value lies in `bytes` (padding excluded).
        public var value: Range<Int>
        /// Where the attribute starts (its type field).
        public var start: Int
    }

    /// Bound on attributes kept from one message (a check carries 6 or 7).
    public static let maxAttributes = 64

    public let bytes: [UInt8]
    public let type: STUNMessageType
    public let transactionID: STUNTransactionID
    public let attributes: [Attribute]

    public init(parsing bytes: [UInt8]) throws(STUNParseError) {
        guard bytes.count >= STUNHeader.length else { throw STUNParseError(.truncatedHeader, at: bytes.count) }
        guard bytes[0] & 0xC0 == 0 else { throw STUNParseError(.notSTUN, at: 0) }
        let cookie = UInt32(bytes[4]) << 24 | UInt32(bytes[5]) << 16 | UInt32(bytes[6]) << 8 | UInt32(bytes[7])
        guard cookie == STUNHeader.magicCookie else { throw STUNParseError(.badMagicCookie, at: 4) }
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        guard length & 3 == 0, length == bytes.count - STUNHeader.length else {
            throw STUNParseError(.lengthMismatch, at: 2)
        }
        self.bytes = bytes
        type = STUNMessageType(rawValue: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
        transactionID = STUNTransactionID(unchecked: Array(bytes[8..<20]))

        var attributes: [Attribute] = []
        var offset = STUNHeader.length
        var sawIntegrity = false
        var sawFingerprint = false
        while offset < bytes.count {
            guard !sawFingerprint else { throw STUNParseError(.attributeAfterFingerprint, at: offset) }
            guard bytes.count - offset >= 4 else { throw STUNParseError(.truncatedAttribute, at: offset) }
            let attributeType = UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
            let valueLength = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let valueStart = offset + 4
            let padded = (valueLength + 3) & ~3
            guard padded <= bytes.count - valueStart else { throw STUNParseError(.truncatedAttribute, at: offset) }
            switch attributeType {
            case STUNAttributeType.messageIntegrity where !sawIntegrity:
                guard valueLength == 20 else { throw STUNParseError(.badAttributeLength, at: offset) }
            case STUNAttributeType.fingerprint:
                guard valueLength == 4 else { throw STUNParseError(.badAttributeLength, at: offset) }
                sawFingerprint = true
            default:
                break
            }
            if !sawIntegrity || attributeType == STUNAttributeType.fingerprint {
                guard attributes.count < STUNMessage.maxAttributes else {
                    throw STUNParseError(.tooManyAttributes, at: offset)
                }
                attributes.append(Attribute(type: attributeType, value: valueStart..<(valueStart + valueLength),
                                            start: offset))
            }
            if attributeType == STUNAttributeType.messageIntegrity { sawIntegrity = true }
            offset = valueStart + padded
        }
        self.attributes = attributes
    }

    /// The first attribute of `type`.
    public func attribute(_ type: UInt16) -> Attribute? {
        attributes.first { $0.type == type }
    }

    /// The value bytes of the first attribute of `type`.
    public func value(of type: UInt16) -> ArraySlice<UInt8>? {
        attribute(type).map { bytes[$0.value] }
    }

    /// Comprehension-required attributes (type < 0x8000) that are not in `known`, for a 420 answer.
    public func unknownRequiredAttributes(known: Set<UInt16>) -> [UInt16] {
        attributes.map(\.type).filter { $0 < 0x8000 && !known.contains($0) }
    }

    /// FINGERPRINT present and right (CRC-32 of everything before it, xor "STUN"). False when absent.
    public var fingerprintIsValid: Bool {
        guard let attribute = attribute(STUNAttributeType.fingerprint) else { return false }
        let value = bytes[attribute.value]
        let carried = value.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        // The length field already covers FINGERPRINT, which is last: the bytes before it are hashed as they are.
        return STUNCRC32.checksum(bytes[0..<attribute.start]) ^ STUNCRC32.fingerprintXOR == carried
    }
}
