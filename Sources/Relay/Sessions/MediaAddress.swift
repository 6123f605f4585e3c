/// An IP address as the session layer sees it: what an SDP `c=` line advertised, what the SIP proxy saw
/// (`received from`), or what a relay interface binds. Stored as integers so endpoints hash and compare cheaply;
/// the data plane converts them to `sockaddr` once per socket.
public enum MediaAddress: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 address in host byte order (`10.0.0.1` is `0x0A00_0001`).
    case v4(UInt32)
    /// An IPv6 address as two 64-bit halves in host byte order (`high` holds the first eight bytes).
    case v6(high: UInt64, low: UInt64)

    /// The address family name used by SDP (`IP4`/`IP6`).
    public var sdpFamily: String {
        switch self {
        case .v4: return "IP4"
        case .v6: return "IP6"
        }
    }

    /// The family name rtpengine uses in `query` replies (`IPv4`/`IPv6`).
    public var familyName: String {
        switch self {
        case .v4: return "IPv4"
        case .v6: return "IPv6"
        }
    }

    /// `0.0.0.0` or `::`: the RFC 2543 way to put a call on hold. Nothing is ever sent to such an address.
    public var isUnspecified: Bool {
        switch self {
        case .v4(let value): return value == 0
        case .v6(let high, let low): return high == 0 && low == 0
        }
    }

    /// The unspecified address of the same family, used to keep a hold visible in the rewritten SDP.
    public var unspecifiedOfSameFamily: MediaAddress {
        switch self {
        case .v4: return .v4(0)
        case .v6: return .v6(high: 0, low: 0)
        }
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with `::` compression, without zone ids).
    /// Returns nil for anything else; never traps on hostile input.
    public init?(parsing text: some StringProtocol) {
        let bytes = Array(text.utf8)
        if bytes.contains(UInt8(ascii: ":")) {
            guard let value = MediaAddress.parseV6(bytes) else { return nil }
            self = value
        } else {
            guard let value = MediaAddress.parseV4(bytes[...]) else { return nil }
            self = .v4(value)
        }
    }

    public var description: String {
        switch self {
        case .v4(let value):
            return MediaAddress.formatV4(value)
        case .v6(let high, let low):
            return MediaAddress.formatV6(high: high, low: low)
        }
    }

    /// Dotted quad without string interpolation (this runs for every SDP rewrite and every stream of a `query` or
    /// `delete` reply): at most 15 bytes, so the result is a small string and nothing is allocated.
    private static func formatV4(_ value: UInt32) -> String {
        var text: (UInt64, UInt64) = (0, 0)
        let count = withUnsafeMutableBytes(of: &text) { buffer -> Int in
            var index = 0
            for shift in stride(from: 24, through: 0, by: -8) {
                let octet = UInt8(truncatingIfNeeded: value >> UInt32(shift))
                if octet >= 100 {
                    buffer[index] = UInt8(ascii: "0") &+ octet / 100
                    index += 1
                }
                if octet >= 10 {
                    buffer[index] = UInt8(ascii: "0") &+ (octet / 10) % 10
                    index += 1
                }
                buffer[index] = UInt8(ascii: "0") &+ octet % 10
                index += 1
                if shift > 0 {
                    buffer[index] = UInt8(ascii: ".")
                    index += 1
                }
            }
            return index
        }
        return withUnsafeBytes(of: &text) { String(decoding: $0.prefix(count), as: UTF8.self) }
    }

    private static func parseV4(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        var result: UInt32 = 0
        var octets = 0
        var current: UInt32 = 0
        var digits = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, octets < 3 else { return nil }
                result = result << 8 | current
                octets += 1
                current = 0
                digits = 0
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                guard digits < 3 else { return nil }
                current = current * 10 + UInt32(byte - UInt8(ascii: "0"))
                guard current <= 255 else { return nil }
                digits += 1
            } else {
                return nil
            }
        }
        guard digits > 0, octets == 3 else { return nil }
        return result << 8 | current
    }

    private static func parseV6(_ bytes: [UInt8]) -> MediaAddress? {
        // Split on "::" at most once; each side is a list of 16-bit hex groups.
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawDoubleColon = false
        var index = 0
        var group: UInt32 = 0
        var groupDigits = 0
        func flush() -> Bool {
            guard groupDigits > 0 else { return false }
            if sawDoubleColon { tail.append(UInt16(group)) } else { head.append(UInt16(group)) }
            group = 0
            groupDigits = 0
            return true
        }
        if bytes.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            sawDoubleColon = true
            index = 2
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ":") {
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ":") {
                    guard !sawDoubleColon, flush() else { return nil }
                    sawDoubleColon = true
                    index += 2
                    continue
                }
                guard flush(), index + 1 < bytes.count else { return nil }
                index += 1
                continue
            }
            guard let nibble = hexValue(byte), groupDigits < 4 else { return nil }
            group = group << 4 | UInt32(nibble)
            groupDigits += 1
            index += 1
        }
        if groupDigits > 0 { _ = flush() }
        let total = head.count + tail.count
        guard sawDoubleColon ? total <= 7 : total == 8 else { return nil }
        let groups = head + Array(repeating: 0, count: 8 - total) + tail
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (position, value) in groups.enumerated() {
            if position < 4 { high = high << 16 | UInt64(value) } else { low = low << 16 | UInt64(value) }
        }
        return .v6(high: high, low: low)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func formatV6(high: UInt64, low: UInt64) -> String {
        var groups: [UInt16] = []
        for shift in stride(from: 48, through: 0, by: -16) { groups.append(UInt16(truncatingIfNeeded: high >> UInt64(shift))) }
        for shift in stride(from: 48, through: 0, by: -16) { groups.append(UInt16(truncatingIfNeeded: low >> UInt64(shift))) }
        // RFC 5952: compress the longest run (length >= 2) of zero groups.
        var bestStart = -1
        var bestLength = 1
        var runStart = -1
        for position in 0...8 {
            if position < 8, groups[position] == 0 {
                if runStart < 0 { runStart = position }
            } else if runStart >= 0 {
                if position - runStart > bestLength {
                    bestStart = runStart
                    bestLength = position - runStart
                }
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}
