/// Byte-level helpers shared by the SDP views. Everything works on slices of the original body so indices stay
/// absolute (usable as error offsets and for splicing a single token).
enum SDPBytes {
    @inline(__always)
    static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    static func trimTrailing(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var end = s.endIndex
        while end > s.startIndex, isBlank(s[end - 1]) { end -= 1 }
        return s[s.startIndex..<end]
    }

    /// Splits on runs of spaces/tabs. Slices keep the indices of the input.
    static func tokens(_ s: ArraySlice<UInt8>, max: Int = Int.max) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        // One allocation for the usual line (an `m=` line grew the array three times).
        result.reserveCapacity(Swift.min(max, 8))
        var i = s.startIndex
        while i < s.endIndex {
            while i < s.endIndex, isBlank(s[i]) { i += 1 }
            guard i < s.endIndex else { break }
            if result.count == max - 1 {
                result.append(trimTrailing(s[i...]))
                break
            }
            let start = i
            while i < s.endIndex, !isBlank(s[i]) { i += 1 }
            result.append(s[start..<i])
        }
        return result
    }

    /// The next run of non-blank bytes at or after `index` (which moves past it); nil when only blanks are left.
    /// For checks that look at a token or two without collecting them all (`tokens` builds an array).
    static func nextToken(_ s: ArraySlice<UInt8>, from index: inout Int) -> Range<Int>? {
        var i = index
        while i < s.endIndex, isBlank(s[i]) { i += 1 }
        guard i < s.endIndex else {
            index = i
            return nil
        }
        let start = i
        while i < s.endIndex, !isBlank(s[i]) { i += 1 }
        index = i
        return start..<i
    }

    /// The token shape the `validate` functions check, without collecting tokens: how many tokens the content has
    /// (counting stops at `limit + 1`), the token at `position`, and where the first token past `limit` starts (the
    /// offset a "too many fields" error names). `o=`, `c=` and `m=` each need their field count and one field.
    static func tokenShape(_ s: ArraySlice<UInt8>, keeping position: Int,
                           limit: Int) -> (count: Int, kept: Range<Int>?, beyondLimit: Int?) {
        var index = s.startIndex
        var count = 0
        var kept: Range<Int>?
        var beyond: Int?
        while count <= limit, let token = nextToken(s, from: &index) {
            if count == position { kept = token }
            if count == limit { beyond = token.lowerBound }
            count += 1
        }
        return (count, kept, beyond)
    }

    /// A non-empty run of ASCII digits not exceeding `max`; nil otherwise (never traps).
    static func parseUInt(_ s: ArraySlice<UInt8>, max: UInt64 = UInt64.max) -> UInt64? {
        guard !s.isEmpty else { return nil }
        var value: UInt64 = 0
        for b in s {
            guard b >= 0x30, b <= 0x39 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(b - 0x30))
            guard !o1, !o2, a <= max else { return nil }
            value = a
        }
        return value
    }

    static func parsePort(_ s: ArraySlice<UInt8>) -> Int? {
        parseUInt(s, max: 65535).map { Int($0) }
    }

    static func decimal(_ n: Int) -> [UInt8] { Array(String(n).utf8) }

    static func equalsIgnoringCase(_ s: ArraySlice<UInt8>, _ literal: String) -> Bool {
        var i = s.startIndex
        for c in literal.utf8 {
            guard i < s.endIndex, lower(s[i]) == lower(c) else { return false }
            i += 1
        }
        return i == s.endIndex
    }

    @inline(__always)
    static func lower(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

    /// Replaces `token` (a sub-slice of `content`) with `replacement`, keeping every other byte.
    static func splice(_ content: ArraySlice<UInt8>, replacing token: Range<Int>, with replacement: [UInt8]) -> ArraySlice<UInt8> {
        var out: [UInt8] = []
        out.reserveCapacity(content.count + replacement.count)
        out.append(contentsOf: content[content.startIndex..<token.lowerBound])
        out.append(contentsOf: replacement)
        out.append(contentsOf: content[token.upperBound..<content.endIndex])
        return out[...]
    }

    /// Adds one to a decimal digit string of any length (session versions may exceed 64 bits).
    static func incrementDecimal(_ digits: ArraySlice<UInt8>) -> [UInt8] {
        var out = Array(digits)
        var i = out.count - 1
        while i >= 0 {
            if out[i] == UInt8(ascii: "9") {
                out[i] = UInt8(ascii: "0")
                i -= 1
            } else {
                out[i] += 1
                return out
            }
        }
        return [UInt8(ascii: "1")] + out
    }
}
