/// One line of an SDP body: its type letter, the bytes after `=` and how it ended.
///
/// `content` is a slice of the parsed body (no copy) until a rewrite replaces it; it keeps trailing whitespace so an
/// unchanged line serializes exactly as received. Typed views trim that whitespace when they read values.
public struct SDPLine: Sendable, Equatable {
    /// The ASCII type letter (`v`, `o`, `m`, `a`, ...), or 0 for a blank line kept only to reproduce the input.
    public let type: UInt8
    /// Bytes after `x=` (for a blank line: its whitespace), without the line terminator.
    public internal(set) var content: ArraySlice<UInt8>
    public internal(set) var terminator: SDPLineTerminator

    public init(type: UInt8, content: ArraySlice<UInt8>, terminator: SDPLineTerminator) {
        self.type = type
        self.content = content
        self.terminator = terminator
    }

    /// A new attribute line `a=<name>[:<value>]`.
    public static func attribute(_ name: String, value: [UInt8]? = nil, terminator: SDPLineTerminator) -> SDPLine {
        var bytes = Array(name.utf8)
        if let value {
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: value)
        }
        return SDPLine(type: UInt8(ascii: "a"), content: bytes[...], terminator: terminator)
    }

    /// For `a=` lines: the attribute name (before the first `:`), trailing whitespace trimmed.
    public var attributeName: ArraySlice<UInt8>? {
        guard type == UInt8(ascii: "a") else { return nil }
        if let colon = content.firstIndex(of: UInt8(ascii: ":")) {
            return content[content.startIndex..<colon]
        }
        return SDPBytes.trimTrailing(content)
    }

    /// For `a=` lines: the value after the first `:`, trailing whitespace trimmed; nil for a property attribute.
    public var attributeValue: ArraySlice<UInt8>? {
        guard type == UInt8(ascii: "a"), let colon = content.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        return SDPBytes.trimTrailing(content[(colon + 1)...])
    }

    /// True when this is `a=<name>...` (ASCII case-insensitive, since endpoints differ in case).
    public func isAttribute(_ name: String) -> Bool {
        guard let attributeName else { return false }
        return SDPBytes.equalsIgnoringCase(attributeName, name)
    }

    /// The value with trailing whitespace removed.
    public var trimmedContent: ArraySlice<UInt8> { SDPBytes.trimTrailing(content) }

    func write(into out: inout [UInt8]) {
        if type != 0 {
            out.append(type)
            out.append(UInt8(ascii: "="))
        }
        out.append(contentsOf: content)
        terminator.write(into: &out)
    }

    var byteCount: Int {
        (type != 0 ? 2 : 0) + content.count + (terminator == .crlf ? 2 : terminator == .lf ? 1 : 0)
    }
}
