/// Writes bencode straight into a byte buffer, for replies whose shape is known in advance (`query`/`delete`
/// bodies, `offer`/`answer` with their SDP).
///
/// Why: building an `NGDictionary` tree only to walk it once with `BencodeEncoder` cost an array per key, an
/// indirect enum box per value and a recursive walk — per stream of every `delete` reply (issue 3). The caller
/// writes keys in the order the tree would have held them, so the bytes are the same as `BencodeEncoder`'s.
/// Nothing checks that containers are balanced: the writer is for code that emits a fixed shape.
public struct BencodeWriter {
    public private(set) var bytes: [UInt8]

    /// An empty buffer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Starts an ng message: `<cookie> `, room reserved for `capacity` more bytes.
    public init(cookie: [UInt8], capacity: Int) {
        bytes = []
        bytes.reserveCapacity(cookie.count + 1 + capacity)
        bytes.append(contentsOf: cookie)
        bytes.append(0x20)
    }

    /// `d` — the following key/value pairs up to `end()` form a dictionary.
    public mutating func beginDictionary() { bytes.append(UInt8(ascii: "d")) }

    /// `l` — the following values up to `end()` form a list.
    public mutating func beginList() { bytes.append(UInt8(ascii: "l")) }

    /// `e` — closes the innermost dictionary or list.
    public mutating func end() { bytes.append(UInt8(ascii: "e")) }

    /// A byte string.
    public mutating func string(_ value: [UInt8]) {
        BencodeEncoder.appendDecimal(Int64(value.count), into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(contentsOf: value)
    }

    /// A byte string from UTF-8 text, without an intermediate array.
    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            BencodeEncoder.appendDecimal(Int64(utf8.count), into: &bytes)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: utf8)
        }
    }

    /// A byte string from a literal (keys and fixed values).
    public mutating func literal(_ value: StaticString) {
        value.withUTF8Buffer { utf8 in
            BencodeEncoder.appendDecimal(Int64(utf8.count), into: &bytes)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: utf8)
        }
    }

    /// `i<n>e`.
    public mutating func int(_ value: Int64) {
        bytes.append(UInt8(ascii: "i"))
        BencodeEncoder.appendDecimal(value, into: &bytes)
        bytes.append(UInt8(ascii: "e"))
    }

    /// A key (a byte string) followed by an integer value.
    public mutating func key(_ key: StaticString, int value: Int64) {
        literal(key)
        int(value)
    }

    /// A key followed by a text value.
    public mutating func key(_ key: StaticString, text value: String) {
        literal(key)
        string(value)
    }

    /// A key followed by a fixed text value.
    public mutating func key(_ key: StaticString, literal value: StaticString) {
        literal(key)
        literal(value)
    }

    /// Any `NGValue`, as `BencodeEncoder` writes it.
    public mutating func value(_ value: NGValue) {
        BencodeEncoder.encode(value, into: &bytes)
    }
}
