/// Text IP addresses for NAT tests: parse IPv4/IPv6 literals into bytes (no Foundation, no
/// resolver) so that "is this private?" and "is this the same address?" are exact, whatever the
/// spelling (`::1` vs `0:0:0:0:0:0:0:1`, a bracketed Via host vs a bare socket address).
public enum IPAddressClassifier {
    /// 4 bytes for IPv4, 16 for IPv6 (brackets and a `%zone` suffix are ignored); nil for names.
    public static func bytes(_ text: String) -> [UInt8]? {
        // Byte scans only: `Substring.contains(":")` resolves to Foundation's string search, which
        // cost more than the whole parse on the REGISTER path (NAT tests run on every request).
        var t = Substring(text)
        if t.utf8.first == UInt8(ascii: "["), t.utf8.last == UInt8(ascii: "]") { t = t.dropFirst().dropLast() }
        if let zone = t.utf8.firstIndex(of: UInt8(ascii: "%")) { t = t[..<zone] }
        if t.utf8.contains(UInt8(ascii: ":")) { return ipv6(t) }
        return ipv4(t)
    }

    /// Whether two literals denote the same address; a name never equals anything (a Via sent-by
    /// that is a host name counts as "differs from the source", as in nathelper without DNS).
    public static func sameAddress(_ a: String, _ b: String) -> Bool {
        if let x = ipv4Value(a), let y = ipv4Value(b) { return x == y }
        guard let x = bytes(a), let y = bytes(b) else { return false }
        if x == y { return true }
        return unmapped(x) == unmapped(y)
    }

    /// RFC 1918, RFC 6598 (100.64/10 carrier-grade NAT), 169.254/16 link-local, and for IPv6 ULA
    /// fc00::/7 and link-local fe80::/10; IPv4-mapped IPv6 is judged by its IPv4 part. Loopback is
    /// not private here (a phone on the same host is not behind a NAT).
    public static func isPrivate(_ text: String) -> Bool {
        if let v = ipv4Value(text) {
            return v >> 24 == 10 || v >> 20 == 0xAC1 || v >> 16 == 0xC0A8 || v >> 22 == 0x191 || v >> 16 == 0xA9FE
        }
        guard let raw = bytes(text) else { return false }
        let b = unmapped(raw)
        if b.count == 4 {
            switch (b[0], b[1]) {
            case (10, _): return true
            case (172, 16...31): return true
            case (192, 168): return true
            case (100, 64...127): return true
            case (169, 254): return true
            default: return false
            }
        }
        if b[0] & 0xFE == 0xFC { return true }
        if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return true }
        return false
    }

    /// A plain dotted IPv4 literal as one number, without allocating (the NAT tests run several
    /// per request and nearly all addresses are IPv4); nil for anything else, which then takes
    /// the general `bytes` path. Accepts exactly what `ipv4` accepts.
    static func ipv4Value(_ text: String) -> UInt32? {
        var result: UInt32 = 0
        var value: UInt32 = 0
        var digits = 0
        var dots = 0
        for c in text.utf8 {
            if c == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                result = result << 8 | value
                value = 0
                digits = 0
                dots += 1
            } else if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                value = value * 10 + UInt32(c - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, value <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, dots == 3 else { return nil }
        return result << 8 | value
    }

    static func unmapped(_ b: [UInt8]) -> [UInt8] {
        guard b.count == 16, b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xFF, b[11] == 0xFF else { return b }
        return Array(b[12..<16])
    }

    static func ipv4(_ t: Substring) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(4)
        var value = 0
        var digits = 0
        for c in t.utf8 {
            if c == UInt8(ascii: ".") {
                guard digits > 0, out.count < 3 else { return nil }
                out.append(UInt8(value))
                value = 0
                digits = 0
            } else if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                value = value * 10 + Int(c - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, value <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, out.count == 3 else { return nil }
        out.append(UInt8(value))
        return out
    }

    static func ipv6(_ t: Substring) -> [UInt8]? {
        let text = Array(t.utf8)
        let colon = UInt8(ascii: ":")
        var gap: Int?
        var i = 0
        while i + 1 < text.count {
            if text[i] == colon && text[i + 1] == colon {
                guard gap == nil else { return nil }  // two "::" (or ":::")
                gap = i
            }
            i += 1
        }
        if let gap {
            guard let head = groups(text[0..<gap], last: false), let tail = groups(text[(gap + 2)...], last: true),
                  head.count + tail.count <= 14 else { return nil }
            return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
        }
        guard let all = groups(text[...], last: true), all.count == 16 else { return nil }
        return all
    }

    /// Colon-separated hex groups; the final group may be a dotted IPv4 when `last`.
    static func groups(_ text: ArraySlice<UInt8>, last: Bool) -> [UInt8]? {
        if text.isEmpty { return [] }
        var out: [UInt8] = []
        let parts = text.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        for (n, part) in parts.enumerated() {
            guard !part.isEmpty else { return nil }
            if last, n == parts.count - 1, part.contains(UInt8(ascii: ".")) {
                guard let v4 = ipv4(Substring(decoding: part, as: UTF8.self)) else { return nil }
                out.append(contentsOf: v4)
            } else {
                guard part.count <= 4 else { return nil }
                var v: UInt16 = 0
                for c in part {
                    guard SIPBytes.isHex(c) else { return nil }
                    v = v << 4 | UInt16(SIPBytes.hexValue(c))
                }
                out.append(UInt8(v >> 8))
                out.append(UInt8(v & 0xFF))
            }
            guard out.count <= 16 else { return nil }
        }
        return out
    }
}
