/// A `name[=value]` parameter of a URI or a header value. The value is kept as written (quoted
/// strings keep their quotes) so that re-serializing changes nothing; `unquotedValue` strips them.
public struct SIPParameter: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var value: String?

    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }

    /// The value without surrounding quotes and with quoted-pairs resolved.
    public var unquotedValue: String? {
        guard let value else { return nil }
        return SIPQuoting.unquote(value)
    }

    public var description: String { value.map { "\(name)=\($0)" } ?? name }
}

extension Array where Element == SIPParameter {
    /// The first parameter with this name, compared case-insensitively (parameter names are
    /// case-insensitive, RFC 3261 §7.3.1).
    public func first(named name: String) -> SIPParameter? {
        first { Self.sameName($0.name, name) }
    }

    /// ASCII case-insensitive equality without building lowercased copies (this runs for every
    /// `branch`, `tag`, `rport`, `expires`... read). Names are tokens, i.e. ASCII; a non-ASCII
    /// byte must match exactly.
    static func sameName(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        for (x, y) in zip(a.utf8, b.utf8) where x != y && SIPBytes.lower(x) != SIPBytes.lower(y) { return false }
        return true
    }

    /// `;a=b;c` as written.
    public var serialized: String {
        var out = ""
        appendSerialized(to: &out)
        return out
    }

    /// Appends `;a=b;c` to `out` (one growing string: `serialized` on the registrar's path built a
    /// string per parameter and joined them).
    public func appendSerialized(to out: inout String) {
        for parameter in self {
            out.append(";")
            out.append(parameter.name)
            if let value = parameter.value {
                out.append("=")
                out.append(value)
            }
        }
    }
}

/// Quoted-string helpers (RFC 3261 §25.1).
public enum SIPQuoting {
    /// Removes the surrounding quotes and resolves `\x` quoted-pairs; returns the input unchanged
    /// when it is not quoted.
    public static func unquote(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\"") else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 1
        while i < bytes.count - 1 {
            if bytes[i] == UInt8(ascii: "\\") && i + 1 < bytes.count - 1 {
                out.append(bytes[i + 1])
                i += 2
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Wraps text in quotes, escaping `"` and `\`.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for c in text {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        out.append("\"")
        return out
    }
}
