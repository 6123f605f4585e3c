/// A small XML tokenizer for the PIDF/RPID subset presence needs: elements with attributes,
/// text, the five predefined entities and numeric character references. Comments, processing
/// instructions and the DOCTYPE are skipped, CDATA is text. Namespaces are not resolved: callers
/// match local names (after the prefix), which is what tolerant presence servers do in practice.
///
/// Written here instead of using FoundationXML's XMLParser so the presence core stays
/// Foundation-free (like the codecs) and bad input is a typed error with an offset, never a trap.
struct XMLLiteTokenizer {
    enum Token: Equatable {
        case start(name: String, attributes: [String: String], selfClosing: Bool)
        case end(name: String)
        case text(String)
    }

    struct Error: Swift.Error, Equatable {
        var offset: Int
        var what: String
    }

    /// Documents larger than this are refused (a PUBLISH body is small).
    static let maxBytes = 64 * 1024
    static let maxDepth = 32

    static func tokens(_ bytes: [UInt8]) throws(Error) -> [Token] {
        guard bytes.count <= maxBytes else { throw Error(offset: maxBytes, what: "document too large") }
        var out: [Token] = []
        var i = 0
        var depth = 0
        while i < bytes.count {
            if bytes[i] != UInt8(ascii: "<") {
                let start = i
                while i < bytes.count, bytes[i] != UInt8(ascii: "<") { i += 1 }
                let text = try decode(bytes, start..<i)
                if !text.allSatisfy({ $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }) { out.append(.text(text)) }
                continue
            }
            if hasPrefix(bytes, i, "<!--") {
                i = try skip(bytes, from: i + 4, past: "-->")
            } else if hasPrefix(bytes, i, "<![CDATA[") {
                let end = try skip(bytes, from: i + 9, past: "]]>")
                out.append(.text(String(decoding: bytes[(i + 9)..<(end - 3)], as: UTF8.self)))
                i = end
            } else if hasPrefix(bytes, i, "<?") {
                i = try skip(bytes, from: i + 2, past: "?>")
            } else if hasPrefix(bytes, i, "<!") {
                i = try skip(bytes, from: i + 2, past: ">")
            } else if hasPrefix(bytes, i, "</") {
                i += 2
                let name = readName(bytes, &i)
                skipSpace(bytes, &i)
                guard !name.isEmpty, i < bytes.count, bytes[i] == UInt8(ascii: ">") else { throw Error(offset: i, what: "bad end tag") }
                i += 1
                depth -= 1
                out.append(.end(name: name))
            } else {
                i += 1
                let name = readName(bytes, &i)
                guard !name.isEmpty else { throw Error(offset: i, what: "bad element name") }
                var attributes: [String: String] = [:]
                var selfClosing = false
                while true {
                    skipSpace(bytes, &i)
                    guard i < bytes.count else { throw Error(offset: i, what: "unterminated tag") }
                    if bytes[i] == UInt8(ascii: ">") { i += 1; break }
                    if bytes[i] == UInt8(ascii: "/") {
                        guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: ">") else { throw Error(offset: i, what: "bad />") }
                        i += 2
                        selfClosing = true
                        break
                    }
                    let attr = readName(bytes, &i)
                    skipSpace(bytes, &i)
                    guard !attr.isEmpty, i < bytes.count, bytes[i] == UInt8(ascii: "=") else { throw Error(offset: i, what: "bad attribute") }
                    i += 1
                    skipSpace(bytes, &i)
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
                        throw Error(offset: i, what: "unquoted attribute")
                    }
                    let quote = bytes[i]
                    let start = i + 1
                    i = start
                    while i < bytes.count, bytes[i] != quote { i += 1 }
                    guard i < bytes.count else { throw Error(offset: start, what: "unterminated attribute") }
                    attributes[attr] = try decode(bytes, start..<i)
                    i += 1
                }
                if !selfClosing {
                    depth += 1
                    guard depth <= maxDepth else { throw Error(offset: i, what: "nesting too deep") }
                }
                out.append(.start(name: name, attributes: attributes, selfClosing: selfClosing))
            }
        }
        return out
    }

    /// `pidf:tuple` → `tuple`.
    static func localName(_ name: String) -> String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }

    private static func hasPrefix(_ bytes: [UInt8], _ i: Int, _ literal: String) -> Bool {
        var j = i
        for c in literal.utf8 {
            guard j < bytes.count, bytes[j] == c else { return false }
            j += 1
        }
        return true
    }

    private static func skip(_ bytes: [UInt8], from: Int, past literal: String) throws(Error) -> Int {
        var i = from
        let count = literal.utf8.count
        while i < bytes.count {
            if hasPrefix(bytes, i, literal) { return i + count }
            i += 1
        }
        throw Error(offset: from, what: "unterminated markup")
    }

    private static func isNameByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: ":") || c == UInt8(ascii: "-")
            || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || c >= 0x80
    }

    private static func readName(_ bytes: [UInt8], _ i: inout Int) -> String {
        let start = i
        while i < bytes.count, isNameByte(bytes[i]) { i += 1 }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    private static func skipSpace(_ bytes: [UInt8], _ i: inout Int) {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
    }

    /// Text with entity and character references resolved.
    private static func decode(_ bytes: [UInt8], _ range: Range<Int>) throws(Error) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var i = range.lowerBound
        while i < range.upperBound {
            let c = bytes[i]
            guard c == UInt8(ascii: "&") else { out.append(c); i += 1; continue }
            var j = i + 1
            while j < range.upperBound, bytes[j] != UInt8(ascii: ";"), j - i < 12 { j += 1 }
            guard j < range.upperBound, bytes[j] == UInt8(ascii: ";") else { throw Error(offset: i, what: "bad entity") }
            let name = String(decoding: bytes[(i + 1)..<j], as: UTF8.self)
            switch name {
            case "lt": out.append(UInt8(ascii: "<"))
            case "gt": out.append(UInt8(ascii: ">"))
            case "amp": out.append(UInt8(ascii: "&"))
            case "quot": out.append(UInt8(ascii: "\""))
            case "apos": out.append(UInt8(ascii: "'"))
            default:
                guard name.hasPrefix("#") else { throw Error(offset: i, what: "unknown entity") }
                let digits = name.dropFirst()
                let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
                guard let value, let scalar = Unicode.Scalar(value) else { throw Error(offset: i, what: "bad character reference") }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
            i = j + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Text safe inside an element or a double-quoted attribute.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
