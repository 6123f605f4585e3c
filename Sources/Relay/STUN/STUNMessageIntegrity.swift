import Crypto

/// MESSAGE-INTEGRITY (RFC 8489 §14.5): HMAC-SHA1 over the message up to the attribute, with the header's length
/// field set as if the message ended right after MESSAGE-INTEGRITY. ICE uses short-term credentials, so the key is
/// the password itself (§9.1.1, no SASLprep for ICE's ASCII passwords).
///
/// The one file of the codec that imports more than the standard library (swift-crypto, for the HMAC).
public enum STUNMessageIntegrity {
    /// The 20-byte HMAC for a message whose first `end` bytes precede MESSAGE-INTEGRITY, `end` ≥ 20.
    public static func code(_ bytes: ArraySlice<UInt8>, key: [UInt8]) -> [UInt8] {
        var prefix = Array(bytes)
        guard prefix.count >= STUNHeader.length else { return [UInt8](repeating: 0, count: 20) }
        let adjusted = prefix.count - STUNHeader.length + 24
        prefix[2] = UInt8((adjusted >> 8) & 0xFF)
        prefix[3] = UInt8(adjusted & 0xFF)
        var hmac = HMAC<Insecure.SHA1>(key: SymmetricKey(data: key))
        hmac.update(data: prefix)
        return Array(hmac.finalize())
    }

    /// True when the message carries MESSAGE-INTEGRITY and it verifies with `key`. Compared in constant time.
    public static func isValid(_ message: STUNMessage, key: [UInt8]) -> Bool {
        guard let attribute = message.attribute(STUNAttributeType.messageIntegrity),
              attribute.value.count == 20 else { return false }
        let expected = code(message.bytes[0..<attribute.start], key: key)
        var difference: UInt8 = 0
        for (index, byte) in message.bytes[attribute.value].enumerated() { difference |= byte ^ expected[index] }
        return difference == 0
    }
}
