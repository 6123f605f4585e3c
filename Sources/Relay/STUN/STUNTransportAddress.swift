/// An IPv4 or IPv6 address and port as STUN carries them in (XOR-)MAPPED-ADDRESS (RFC 8489 §14.1, §14.2).
public struct STUNTransportAddress: Hashable, Sendable {
    /// 4 (IPv4) or 16 (IPv6) bytes, network order.
    public var address: [UInt8]
    public var port: UInt16

    /// nil unless `address` has 4 or 16 bytes. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack
    /// socket reports for an IPv4 peer) becomes plain IPv4: that is the address the peer itself knows.
    public init?(address: [UInt8], port: UInt16) {
        if address.count == 16, address[0..<10].allSatisfy({ $0 == 0 }), address[10] == 0xFF, address[11] == 0xFF {
            self.address = Array(address[12..<16])
        } else {
            guard address.count == 4 || address.count == 16 else { return nil }
            self.address = address
        }
        self.port = port
    }

    public var isIPv4: Bool { address.count == 4 }

    /// The XOR-MAPPED-ADDRESS value: family, port xor the cookie's top half, address xor cookie (+ transaction ID).
    public func xorEncoded(transactionID: STUNTransactionID) -> [UInt8] {
        let mask = STUNTransportAddress.mask(transactionID)
        var value: [UInt8] = [0, isIPv4 ? 0x01 : 0x02]
        let xoredPort = port ^ UInt16(STUNHeader.magicCookie >> 16)
        value.append(UInt8(xoredPort >> 8))
        value.append(UInt8(xoredPort & 0xFF))
        for (index, byte) in address.enumerated() { value.append(byte ^ mask[index]) }
        return value
    }

    /// Decodes an XOR-MAPPED-ADDRESS value; nil when it is malformed.
    public static func xorDecoded<Bytes: Collection>(_ value: Bytes, transactionID: STUNTransactionID)
        -> STUNTransportAddress? where Bytes.Element == UInt8 {
        let bytes = Array(value)
        guard bytes.count >= 8 else { return nil }
        let length: Int
        switch bytes[1] {
        case 0x01: length = 4
        case 0x02: length = 16
        default: return nil
        }
        guard bytes.count == 4 + length else { return nil }
        let port = (UInt16(bytes[2]) << 8 | UInt16(bytes[3])) ^ UInt16(STUNHeader.magicCookie >> 16)
        let mask = STUNTransportAddress.mask(transactionID)
        var address: [UInt8] = []
        for index in 0..<length { address.append(bytes[4 + index] ^ mask[index]) }
        return STUNTransportAddress(address: address, port: port)
    }

    /// The magic cookie followed by the transaction ID: 16 bytes, the xor key for addresses.
    static func mask(_ transactionID: STUNTransactionID) -> [UInt8] {
        let cookie = STUNHeader.magicCookie
        return [UInt8(cookie >> 24), UInt8((cookie >> 16) & 0xFF), UInt8((cookie >> 8) & 0xFF), UInt8(cookie & 0xFF)]
            + transactionID.bytes
    }
}

/// The 96-bit transaction ID (RFC 8489 §5).
public struct STUNTransactionID: Hashable, Sendable {
    /// Always 12 bytes.
    public let bytes: [UInt8]

    /// nil unless exactly 12 bytes.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count == 12 else { return nil }
        self.bytes = bytes
    }

    /// A random ID (for requests this side sends: tests, tools).
    public static func random() -> STUNTransactionID {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        for _ in 0..<12 { bytes.append(UInt8.random(in: 0...255, using: &generator)) }
        return STUNTransactionID(unchecked: bytes)
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }
}
