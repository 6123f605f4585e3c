/// Text for SVG and HTML: escapes the five characters XML reserves, so a relay name or an error reason can never
/// break the document (or inject markup into a report someone opens in a browser).
public enum XMLText {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab/newline are not allowed in XML 1.0.
                if c.value < 0x20, c != "\t", c != "\n" { out += "?" } else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }

    /// A coordinate with at most two decimals and no exponent (SVG accepts exponents, but they bloat and confuse).
    public static func number(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 100).rounded() / 100
        if r == r.rounded() { return String(Int(r)) }
        return FixedPoint.format(r, digits: 2)
    }
}
