/// Builds a STUN message attribute by attribute; the header's length field is kept current, so MESSAGE-INTEGRITY
/// and FINGERPRINT, appended last in that order, cover exactly what RFC 8489 §14.5/§14.7 say.
public struct STUNMessageWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(type: STUNMessageType, transactionID: STUNTransactionID) {
        let raw = type.rawValue
        let cookie = STUNHeader.magicCookie
        bytes = [UInt8(raw >> 8), UInt8(raw & 0xFF), 0, 0,
                 UInt8(cookie >> 24), UInt8((cookie >> 16) & 0xFF), UInt8((cookie >> 8) & 0xFF), UInt8(cookie & 0xFF)]
        bytes += transactionID.bytes
        bytes.reserveCapacity(128)
    }

    /// Continues a message from its raw bytes so far (header and whole attributes; tests rebuilding a sample whose
    /// padding is not zeros). The length field is rewritten from the byte count.
    public init(rawPrefix: [UInt8]) {
        bytes = rawPrefix.count >= STUNHeader.length ? rawPrefix : rawPrefix + [UInt8](repeating: 0,
                                                                                      count: STUNHeader.length - rawPrefix.count)
        setLength(bytes.count - STUNHeader.length)
    }

    /// Appends one attribute, zero-padded to 4 bytes. Values longer than 65535 bytes are cut (never produced here).
    public mutating func append(_ type: UInt16, _ value: [UInt8]) {
        let value = value.count > 0xFFFF ? Array(value[0..<0xFFFF]) : value
        bytes += [UInt8(type >> 8), UInt8(type & 0xFF), UInt8(value.count >> 8), UInt8(value.count & 0xFF)]
        bytes += value
        let padding = (4 - value.count % 4) % 4
        bytes += [UInt8](repeating: 0, count: padding)
        setLength(bytes.count - STUNHeader.length)
    }

    public mutating func appendXORMappedAddress(_ address: STUNTransportAddress) {
        append(STUNAttributeType.xorMappedAddress, address.xorEncoded(transactionID: transactionID))
    }

    /// ERROR-CODE (§14.8): class and number from `code` (300–699), then the reason phrase.
    public mutating func appendErrorCode(_ code: Int, reason: String) {
        let clamped = max(300, min(699, code))
        append(STUNAttributeType.errorCode, [0, 0, UInt8(clamped / 100), UInt8(clamped % 100)] + Array(reason.utf8))
    }

    public mutating func appendMessageIntegrity(key: [UInt8]) {
        let code = STUNMessageIntegrity.code(bytes[...], key: key)
        append(STUNAttributeType.messageIntegrity, code)
    }

    public mutating func appendFingerprint() {
        setLength(bytes.count - STUNHeader.length + 8)
        let crc = STUNCRC32.checksum(bytes) ^ STUNCRC32.fingerprintXOR
        append(STUNAttributeType.fingerprint, [UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF),
                                               UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)])
    }

    var transactionID: STUNTransactionID { STUNTransactionID(unchecked: Array(bytes[8..<20])) }

    private mutating func setLength(_ length: Int) {
        bytes[2] = UInt8((length >> 8) & 0xFF)
        bytes[3] = UInt8(length & 0xFF)
    }
}
