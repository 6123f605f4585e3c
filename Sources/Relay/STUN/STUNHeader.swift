/// The fixed 20-byte STUN header (RFC 8489 §5) and the constants every part of the codec shares.
public enum STUNHeader {
    /// Header length in bytes.
    public static let length = 20
    /// The magic cookie at bytes 4..<8.
    public static let magicCookie: UInt32 = 0x2112_A442

    /// True when `count` bytes at `bytes` look like a STUN message: the two top bits zero, the magic cookie, and a
    /// length field (a multiple of 4) that covers exactly the rest of the datagram. Why so strict: the data plane
    /// runs this on every packet to take ICE checks out of the media path, and RTP/RTCP (version 2: first byte
    /// 0x80–0xBF) never pass the first test, while a stray packet that merely starts with zero bits also needs the
    /// cookie and an exact length. Reads at most 8 bytes, no allocation.
    @inline(__always)
    public static func isSTUN(_ bytes: UnsafeRawPointer, count: Int) -> Bool {
        guard count >= length, count - length <= 0xFFFF else { return false }
        guard bytes.load(fromByteOffset: 0, as: UInt8.self) & 0xC0 == 0 else { return false }
        let cookie = UInt32(bytes.load(fromByteOffset: 4, as: UInt8.self)) << 24
            | UInt32(bytes.load(fromByteOffset: 5, as: UInt8.self)) << 16
            | UInt32(bytes.load(fromByteOffset: 6, as: UInt8.self)) << 8
            | UInt32(bytes.load(fromByteOffset: 7, as: UInt8.self))
        guard cookie == magicCookie else { return false }
        let declared = Int(bytes.load(fromByteOffset: 2, as: UInt8.self)) << 8
            | Int(bytes.load(fromByteOffset: 3, as: UInt8.self))
        return declared & 3 == 0 && declared == count - length
    }
}

/// Message classes (the C0/C1 bits of the message type).
public enum STUNClass: UInt8, Sendable {
    case request = 0
    case indication = 1
    case successResponse = 2
    case errorResponse = 3
}

/// The message type word: method and class interleaved as RFC 8489 §5 draws them.
public struct STUNMessageType: Hashable, Sendable {
    public var method: UInt16
    public var messageClass: STUNClass

    /// The Binding method (the only one ICE uses).
    public static let binding: UInt16 = 0x001

    public init(method: UInt16, messageClass: STUNClass) {
        self.method = method & 0x0FFF
        self.messageClass = messageClass
    }

    /// Decodes the 14-bit type field (the two top bits must already be known to be zero).
    public init(rawValue: UInt16) {
        let c0 = (rawValue >> 4) & 1
        let c1 = (rawValue >> 8) & 1
        messageClass = STUNClass(rawValue: UInt8(c1 << 1 | c0)) ?? .request
        method = (rawValue & 0x000F) | ((rawValue >> 1) & 0x0070) | ((rawValue >> 2) & 0x0F80)
    }

    public var rawValue: UInt16 {
        let c = UInt16(messageClass.rawValue)
        return (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) | (c & 1) << 4 | (c >> 1) << 8
    }
}

/// Attribute types the relay reads or writes (RFC 8489 §18.3, RFC 8445 §16.1).
public enum STUNAttributeType {
    public static let mappedAddress: UInt16 = 0x0001
    public static let username: UInt16 = 0x0006
    public static let messageIntegrity: UInt16 = 0x0008
    public static let errorCode: UInt16 = 0x0009
    public static let unknownAttributes: UInt16 = 0x000A
    public static let xorMappedAddress: UInt16 = 0x0020
    public static let priority: UInt16 = 0x0024
    public static let useCandidate: UInt16 = 0x0025
    public static let software: UInt16 = 0x8022
    public static let fingerprint: UInt16 = 0x8028
    public static let iceControlled: UInt16 = 0x8029
    public static let iceControlling: UInt16 = 0x802A
}
