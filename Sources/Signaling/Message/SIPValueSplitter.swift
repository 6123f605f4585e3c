/// Splits a comma-list header value (RFC 3261 §7.3.1) into its elements. Commas inside
/// quoted strings (with `\` escapes) and inside `<...>` do not split. Elements are trimmed of
/// whitespace; empty elements are kept so that typed parsers can reject them.
enum SIPValueSplitter {
    static func split(_ bytes: [UInt8], _ range: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = range.lowerBound
        var i = range.lowerBound
        var inQuotes = false
        var inAngle = false
        let end = min(range.upperBound, bytes.count)
        while i < end {
            let b = bytes[i]
            if inQuotes {
                if b == UInt8(ascii: "\\") { i += 2; continue }
                if b == UInt8(ascii: "\"") { inQuotes = false }
            } else if inAngle {
                if b == UInt8(ascii: ">") { inAngle = false }
            } else if b == UInt8(ascii: "\"") {
                inQuotes = true
            } else if b == UInt8(ascii: "<") {
                inAngle = true
            } else if b == UInt8(ascii: ",") {
                result.append(trim(bytes, start..<i))
                start = i + 1
            }
            i += 1
        }
        result.append(trim(bytes, start..<end))
        return result
    }

    /// The first element only, without building an array (the common "top Via" case).
    static func first(_ bytes: [UInt8], _ range: Range<Int>) -> (element: Range<Int>, rest: Range<Int>?) {
        var i = range.lowerBound
        var inQuotes = false
        var inAngle = false
        let end = min(range.upperBound, bytes.count)
        while i < end {
            let b = bytes[i]
            if inQuotes {
                if b == UInt8(ascii: "\\") { i += 2; continue }
                if b == UInt8(ascii: "\"") { inQuotes = false }
            } else if inAngle {
                if b == UInt8(ascii: ">") { inAngle = false }
            } else if b == UInt8(ascii: "\"") {
                inQuotes = true
            } else if b == UInt8(ascii: "<") {
                inAngle = true
            } else if b == UInt8(ascii: ",") {
                return (trim(bytes, range.lowerBound..<i), (i + 1)..<end)
            }
            i += 1
        }
        return (trim(bytes, range.lowerBound..<end), nil)
    }

    static func trim(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lo = range.lowerBound
        var hi = range.upperBound
        while lo < hi && SIPBytes.isLWS(bytes[lo]) { lo += 1 }
        while hi > lo && SIPBytes.isLWS(bytes[hi - 1]) { hi -= 1 }
        return lo..<hi
    }
}
