/// Recognises a reply to one of our keepalive pings from its raw bytes, before any parse.
///
/// Why: 5,000 replies a second at 100k bindings went through the whole receive path (full
/// `SIPMessage` parse, dispatcher look-up, NAT tests) only to be dropped by the scheduler. This
/// scan reads the header block once, compares three headers byte for byte and allocates nothing.
///
/// It accepts only what is unambiguous: a status line `SIP/2.0 NNN `, exactly one Call-ID that is
/// `<prefix>-` plus 16 hex digits, a CSeq whose method is `OPTIONS`, a top Via whose `branch` (if
/// any) is ours for that id, and the end of the header block. Anything else — another Call-ID,
/// folded or compact-but-odd headers, a truncated datagram — returns nil and the message takes the
/// normal path (where `KeepalivePingBuilder.pingID(of:)` still matches the rare legal oddity).
struct KeepaliveReplyScanner: Sendable {
    /// `<prefix>-`: what every Call-ID of ours starts with.
    private let callIDStart: [UInt8]
    /// `z9hG4bK<prefix>`: what every branch of ours starts with.
    private let branchStart: [UInt8]

    init(prefix: String) {
        callIDStart = Array("\(prefix)-".utf8)
        branchStart = Array("z9hG4bK\(prefix)".utf8)
    }

    /// The ping id the reply in `bytes` answers, or nil when it is not (clearly) one of ours.
    func pingID(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        // Status line: "SIP/2.0 " DIGIT DIGIT DIGIT SP.
        let version: StaticString = "SIP/2.0 "
        guard bytes.count > 13, Self.equals(bytes, 0, version) else { return nil }
        for i in 8..<11 where !Self.isDigit(bytes[i]) { return nil }
        guard bytes[11] == 0x20 else { return nil }
        guard var line = Self.lineEnd(bytes, from: 12).map({ $0 + 2 }) else { return nil }
        var pingID: UInt64?
        var sawCSeq = false
        var topVia: Range<Int>?
        while true {
            guard let end = Self.lineEnd(bytes, from: line) else { return nil }  // no end of headers
            if end == line { break }  // the blank line
            if bytes[line] == 0x20 || bytes[line] == 0x09 { return nil }  // folding: leave it to the parser
            guard let colon = Self.index(of: 0x3A, in: bytes, line..<end) else { return nil }
            let name = Self.trimmed(bytes, line..<colon)
            let value = Self.trimmed(bytes, (colon + 1)..<end)
            if Self.nameIs(bytes, name, "call-id") || Self.nameIs(bytes, name, "i") {
                guard pingID == nil, let id = callID(bytes, value) else { return nil }
                pingID = id
            } else if Self.nameIs(bytes, name, "cseq") {
                guard !sawCSeq, Self.cseqIsOptions(bytes, value) else { return nil }
                sawCSeq = true
            } else if topVia == nil, Self.nameIs(bytes, name, "via") || Self.nameIs(bytes, name, "v") {
                topVia = value
            }
            line = end + 2
        }
        guard let pingID, sawCSeq, let topVia, branchMatches(bytes, topVia, pingID) else { return nil }
        return pingID
    }

    /// `<prefix>-` + exactly 16 hex digits → the id.
    private func callID(_ bytes: UnsafeRawBufferPointer, _ value: Range<Int>) -> UInt64? {
        guard value.count == callIDStart.count + KeepalivePingTemplate.idDigits,
              Self.equals(bytes, value.lowerBound, callIDStart)
        else { return nil }
        return Self.hexValue(bytes, (value.lowerBound + callIDStart.count)..<value.upperBound)
    }

    /// The first Via value's `branch` parameter, if present, must be `z9hG4bK<prefix><id>`.
    private func branchMatches(_ bytes: UnsafeRawBufferPointer, _ via: Range<Int>, _ id: UInt64) -> Bool {
        let key: StaticString = "branch="
        var i = via.lowerBound
        while i < via.upperBound, bytes[i] != 0x2C {  // the top value ends at a comma
            if bytes[i] == 0x3B {  // ';' then optional whitespace then the parameter name
                var p = i + 1
                while p < via.upperBound, bytes[p] == 0x20 || bytes[p] == 0x09 { p += 1 }
                if p + key.utf8CodeUnitCount <= via.upperBound, Self.equalsIgnoringCase(bytes, p, key) {
                    let start = p + key.utf8CodeUnitCount
                    var stop = start
                    while stop < via.upperBound, ![0x3B, 0x2C, 0x20, 0x09].contains(bytes[stop]) { stop += 1 }
                    guard stop - start == branchStart.count + KeepalivePingTemplate.idDigits,
                          Self.equals(bytes, start, branchStart),
                          Self.hexValue(bytes, (start + branchStart.count)..<stop) == id
                    else { return false }
                    return true
                }
            }
            i += 1
        }
        return true  // no branch: the Call-ID alone identifies the ping (as on the slow path)
    }

    // MARK: Byte helpers (all bounds-checked against `bytes.count` by construction)

    /// The index of the CR of the next CRLF at or after `from`, nil when there is none.
    ///
    /// Eight bytes at a time first (the byte loop was the largest part of the scan): a word is
    /// skipped when none of its bytes is CR or LF; otherwise the scan jumps to the first one.
    private static func lineEnd(_ bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        var i = from
        if let base = bytes.baseAddress {
            while i >= 0, i + 8 <= bytes.count {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let found = zeroBytes(word ^ 0x0D0D_0D0D_0D0D_0D0D) | zeroBytes(word ^ 0x0A0A_0A0A_0A0A_0A0A)
                if found != 0 {
                    // The lowest flagged byte is exact (false flags only sit above a true one).
                    i += found.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
        }
        while i + 1 < bytes.count {
            if bytes[i] == 0x0D { return bytes[i + 1] == 0x0A ? i : nil }
            if bytes[i] == 0x0A { return nil }  // bare LF: leave it to the parser
            i += 1
        }
        return nil
    }

    /// The high bit of each byte of `v` that may be zero; the lowest one set is the first zero byte.
    private static func zeroBytes(_ v: UInt64) -> UInt64 {
        (v &- 0x0101_0101_0101_0101) & ~v & 0x8080_8080_8080_8080
    }

    private static func index(of byte: UInt8, in bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        for i in range where bytes[i] == byte { return i }
        return nil
    }

    private static func trimmed(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
        var low = range.lowerBound
        var high = range.upperBound
        while low < high, bytes[low] == 0x20 || bytes[low] == 0x09 { low += 1 }
        while high > low, bytes[high - 1] == 0x20 || bytes[high - 1] == 0x09 { high -= 1 }
        return low..<high
    }

    private static func nameIs(_ bytes: UnsafeRawBufferPointer, _ name: Range<Int>, _ lower: StaticString) -> Bool {
        name.count == lower.utf8CodeUnitCount && equalsIgnoringCase(bytes, name.lowerBound, lower)
    }

    /// `digits LWS "OPTIONS"`, nothing after.
    private static func cseqIsOptions(_ bytes: UnsafeRawBufferPointer, _ value: Range<Int>) -> Bool {
        var i = value.lowerBound
        while i < value.upperBound, isDigit(bytes[i]) { i += 1 }
        guard i > value.lowerBound else { return false }
        let digitsEnd = i
        while i < value.upperBound, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
        let method: StaticString = "OPTIONS"
        return i > digitsEnd && value.upperBound - i == method.utf8CodeUnitCount && equals(bytes, i, method)
    }

    private static func hexValue(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UInt64? {
        guard range.count == KeepalivePingTemplate.idDigits else { return nil }
        var value: UInt64 = 0
        for i in range {
            let b = bytes[i]
            let digit: UInt8
            switch b {
            case 0x30...0x39: digit = b &- 0x30
            case 0x61...0x66: digit = b &- 0x61 &+ 10
            case 0x41...0x46: digit = b &- 0x41 &+ 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ at: Int, _ expected: [UInt8]) -> Bool {
        guard at >= 0, at + expected.count <= bytes.count else { return false }
        for (k, b) in expected.enumerated() where bytes[at + k] != b { return false }
        return true
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ at: Int, _ expected: StaticString) -> Bool {
        let n = expected.utf8CodeUnitCount
        guard at >= 0, at + n <= bytes.count else { return false }
        return expected.withUTF8Buffer { e in
            for k in 0..<n where bytes[at + k] != e[k] { return false }
            return true
        }
    }

    /// Case-insensitive for ASCII letters; `lower` is lowercase.
    private static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ at: Int, _ lower: StaticString) -> Bool {
        let n = lower.utf8CodeUnitCount
        guard at >= 0, at + n <= bytes.count else { return false }
        return lower.withUTF8Buffer { e in
            for k in 0..<n {
                var b = bytes[at + k]
                if b >= 0x41 && b <= 0x5A { b |= 0x20 }
                if b != e[k] { return false }
            }
            return true
        }
    }
}
