/// Parses `rtpp-flags`: one string of space-separated flags as rtpengine's daemon-side parser understands it,
/// e.g. `replace-origin via-branch=auto-next strict-source label=callee transport-protocol=RTP/AVP
/// codec=[strip=[EVS] transcode=[PCMA PCMU]] internal external RTP/AVP`.
///
/// - `word` → a flag (as in the `flags` list), except transport words (`RTP/AVP`, `RTP`, `AVP`, `SRTP`, `AVPF`,
///   `DTLS`, ...) which combine into `transport-protocol`, and `internal`/`external`, which fill `direction`;
/// - `key=value` → the top-level key `key` with a string value (`direction=x` appends to `direction`);
/// - `key=[a b ...]` → a list value; `key=[k=v ...]` → a dictionary value; brackets nest.
enum NGRTPPFlagsParser {
    /// Bracket nesting beyond this is rejected; real flag strings nest two levels.
    static let maxDepth = 8

    private struct Item {
        var key: [UInt8]?
        var value: NGValue
    }

    static func apply(_ bytes: [UInt8], to fields: inout NGRequestFields) throws(NGCommandError) {
        var position = 0
        let items = try sequence(bytes, &position, depth: 0)
        var transport = TransportBits()
        for item in items {
            guard let key = item.key else {
                guard let word = item.value.stringValue else { continue }
                if transport.absorb(word) { continue }
                if word == "internal" || word == "external" {
                    fields.direction.append(word)
                } else {
                    fields.applyFlag(word)
                }
                continue
            }
            let canonical = NGKeySpelling.canonical(key)
            if canonical == "direction", let s = item.value.stringValue {
                fields.direction.append(s)
            } else if canonical == "rtpp-flags" {
                continue  // no recursion through nested rtpp-flags
            } else {
                try fields.apply(key: canonical, value: item.value)
            }
        }
        if let proto = transport.protocolName { fields.transportProtocol = NGTransportProtocol(proto) }
    }

    /// Reads items until the end or, inside brackets, the matching `]`.
    private static func sequence(_ b: [UInt8], _ p: inout Int, depth: Int) throws(NGCommandError) -> [Item] {
        guard depth <= maxDepth else { throw .invalidValue(key: "rtpp-flags") }
        var items: [Item] = []
        while p < b.count {
            switch b[p] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                p += 1
            case UInt8(ascii: "]"):
                p += 1
                if depth > 0 { return items }
            case UInt8(ascii: "["):
                p += 1
                items.append(Item(key: nil, value: collection(try sequence(b, &p, depth: depth + 1))))
            default:
                let start = p
                while p < b.count, !isDelimiter(b[p]), b[p] != UInt8(ascii: "=") { p += 1 }
                let word = Array(b[start..<p])
                guard p < b.count, b[p] == UInt8(ascii: "=") else {
                    items.append(Item(key: nil, value: .string(word)))
                    continue
                }
                p += 1
                if p < b.count, b[p] == UInt8(ascii: "[") {
                    p += 1
                    items.append(Item(key: word, value: collection(try sequence(b, &p, depth: depth + 1))))
                } else {
                    let valueStart = p
                    while p < b.count, !isDelimiter(b[p]) { p += 1 }
                    items.append(Item(key: word, value: .string(Array(b[valueStart..<p]))))
                }
            }
        }
        return items
    }

    private static func isDelimiter(_ c: UInt8) -> Bool {
        c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "]") || c == UInt8(ascii: "[")
            || c == UInt8(ascii: "\r") || c == UInt8(ascii: "\n")
    }

    /// A bracketed group is a dictionary if it holds any `k=v` item, otherwise a list.
    private static func collection(_ items: [Item]) -> NGValue {
        if items.contains(where: { $0.key != nil }) {
            var d = NGDictionary()
            for item in items { if let k = item.key { d.entries.append(.init(key: k, value: item.value)) } }
            return .dict(d)
        }
        return .list(items.map(\.value))
    }

    /// The transport words of rtpp-flags: full names set the protocol, the short words toggle its parts.
    private struct TransportBits {
        var seen = false
        var srtp = false
        var avpf = false
        var dtls = false

        mutating func absorb(_ word: String) -> Bool {
            switch word {
            case "RTP": srtp = false
            case "AVP": avpf = false
            case "SRTP": srtp = true
            case "AVPF": avpf = true
            case "DTLS": dtls = true
            case "RTP/AVP": (srtp, avpf, dtls) = (false, false, false)
            case "RTP/SAVP": (srtp, avpf, dtls) = (true, false, false)
            case "RTP/AVPF": (srtp, avpf, dtls) = (false, true, false)
            case "RTP/SAVPF": (srtp, avpf, dtls) = (true, true, false)
            case "UDP/TLS/RTP/SAVP": (srtp, avpf, dtls) = (true, false, true)
            case "UDP/TLS/RTP/SAVPF": (srtp, avpf, dtls) = (true, true, true)
            default: return false
            }
            seen = true
            return true
        }

        var protocolName: String? {
            guard seen else { return nil }
            if dtls { return avpf ? "UDP/TLS/RTP/SAVPF" : "UDP/TLS/RTP/SAVP" }
            switch (srtp, avpf) {
            case (false, false): return "RTP/AVP"
            case (true, false): return "RTP/SAVP"
            case (false, true): return "RTP/AVPF"
            case (true, true): return "RTP/SAVPF"
            }
        }
    }
}
