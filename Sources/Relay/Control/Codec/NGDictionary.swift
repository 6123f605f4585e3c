/// An ng dictionary: key/value pairs in the order they arrived or were added.
///
/// Order is kept (not sorted) because rtpengine accepts any order and keeping it makes encode(decode(x)) == x.
/// Lookups are linear: ng dictionaries have a dozen keys, where a scan beats hashing.
public struct NGDictionary: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public struct Entry: Sendable, Equatable {
        public var key: [UInt8]
        public var value: NGValue

        public init(key: [UInt8], value: NGValue) {
            self.key = key
            self.value = value
        }

        public var keyString: String { String(decoding: key, as: UTF8.self) }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry] = []) { self.entries = entries }

    public init(dictionaryLiteral elements: (String, NGValue)...) {
        entries = elements.map { Entry(key: Array($0.0.utf8), value: $0.1) }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// The first value stored under exactly this key.
    public subscript(key: String) -> NGValue? {
        // Compares against the key's UTF-8 in place: building an array per lookup cost a malloc and a free for
        // every field every request reads.
        var key = key
        return key.withUTF8 { wanted -> NGValue? in
            for entry in entries where entry.key.count == wanted.count {
                if entry.key.withUnsafeBufferPointer({ $0.elementsEqual(wanted) }) { return entry.value }
            }
            return nil
        }
    }

    public mutating func append(_ key: String, _ value: NGValue) {
        entries.append(Entry(key: Array(key.utf8), value: value))
    }

    public mutating func append(contentsOf other: NGDictionary) {
        entries.append(contentsOf: other.entries)
    }
}
