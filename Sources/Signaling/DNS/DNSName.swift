/// A domain name as its labels, lower-cased on the way in so that names compare as DNS compares them
/// (RFC 4343: ASCII case-insensitive). Labels stay bytes; `text` builds a String only when asked.
public struct DNSName: Sendable, Hashable, CustomStringConvertible {
    /// Without the empty root label.
    public var labels: [[UInt8]]

    public init(labels: [[UInt8]]) {
        self.labels = labels.map { $0.map(DNSName.lower) }
    }

    /// Parses dotted text ("_sip._udp.example.com", a trailing dot allowed); nil for an empty label
    /// in the middle or a label over 63 bytes, which no query could carry.
    public init?(_ text: String) {
        var labels: [[UInt8]] = []
        var current: [UInt8] = []
        var total = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard !current.isEmpty else { return nil }
                labels.append(current)
                total += current.count + 1
                current = []
            } else {
                current.append(DNSName.lower(byte))
                guard current.count <= 63 else { return nil }
            }
        }
        if !current.isEmpty {
            labels.append(current)
            total += current.count + 1
        }
        guard total + 1 <= 255 else { return nil }
        self.labels = labels
    }

    /// Dotted text without the trailing dot ("" for the root).
    public var text: String {
        var bytes: [UInt8] = []
        for (index, label) in labels.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ".")) }
            bytes += label
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public var description: String { text }

    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}
