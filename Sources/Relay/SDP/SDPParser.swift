/// Splits an SDP body into lines and sections and validates the lines the relay depends on.
///
/// Lenient where real endpoints are sloppy (LF-only line ends, trailing whitespace, blank lines, unknown line types
/// and attributes, which are all kept verbatim); strict where a wrong value would misroute media (`o=`, `c=`, `m=`,
/// `b=`, `t=`, `a=rtcp`, `a=rtpmap`, `a=ptime`).
enum SDPParser {
    static func parse(_ bytes: [UInt8], limits: SDPLimits) throws(SDPParseError) -> SDPSessionDescription {
        guard bytes.count <= limits.maxBytes else { throw SDPParseError(.tooLarge, at: limits.maxBytes) }
        let lines = try splitLines(bytes, limits: limits)
        guard let firstReal = lines.firstIndex(where: { $0.type != 0 }) else { throw SDPParseError(.empty, at: 0) }
        let style = lines[firstReal].terminator == .absent ? SDPLineTerminator.crlf : lines[firstReal].terminator

        let v = lines[firstReal]
        guard v.type == UInt8(ascii: "v") else { throw SDPParseError(.missingVersion, at: v.content.startIndex - 2) }
        guard SDPBytes.trimTrailing(v.content).elementsEqual([UInt8(ascii: "0")]) else {
            throw SDPParseError(.unsupportedVersion, at: v.content.startIndex)
        }

        var session: [SDPLine] = []
        var media: [SDPMediaSection] = []
        var current: [SDPLine] = []
        var inMedia = false
        for line in lines {
            try validate(line)
            if line.type == UInt8(ascii: "m") {
                if inMedia {
                    media.append(SDPMediaSection(lines: current, lineTerminator: style))
                } else {
                    session = current
                }
                guard media.count < limits.maxMediaSections else {
                    throw SDPParseError(.tooManyMediaSections, at: line.content.startIndex - 2)
                }
                current = [line]
                inMedia = true
            } else {
                current.append(line)
            }
        }
        if inMedia {
            media.append(SDPMediaSection(lines: current, lineTerminator: style))
        } else {
            session = current
        }
        return SDPSessionDescription(session: SDPSessionSection(lines: session, lineTerminator: style), media: media,
                                     lineTerminator: style)
    }

    private static func splitLines(_ bytes: [UInt8], limits: SDPLimits) throws(SDPParseError) -> [SDPLine] {
        var lines: [SDPLine] = []
        lines.reserveCapacity(32)
        var start = 0
        let n = bytes.count
        while start < n {
            guard lines.count < limits.maxLines else { throw SDPParseError(.tooManyLines, at: start) }
            var end = start
            while end < n, bytes[end] != 10 { end += 1 }
            let terminator: SDPLineTerminator
            var contentEnd = end
            if end == n {
                terminator = .absent
            } else if end > start, bytes[end - 1] == 13 {
                terminator = .crlf
                contentEnd = end - 1
            } else {
                terminator = .lf
            }
            let raw = bytes[start..<contentEnd]
            if raw.allSatisfy(SDPBytes.isBlank) {
                lines.append(SDPLine(type: 0, content: raw, terminator: terminator))
            } else {
                let type = bytes[start]
                guard raw.count >= 2, type >= UInt8(ascii: "a"), type <= UInt8(ascii: "z"),
                      bytes[start + 1] == UInt8(ascii: "=")
                else { throw SDPParseError(.malformedLine, at: start) }
                lines.append(SDPLine(type: type, content: bytes[(start + 2)..<contentEnd], terminator: terminator))
            }
            start = end + 1
        }
        return lines
    }

    private static func validate(_ line: SDPLine) throws(SDPParseError) {
        switch line.type {
        case UInt8(ascii: "o"):
            try SDPOrigin.validate(line.content)
        case UInt8(ascii: "c"):
            try SDPConnection.validate(line.content)
        case UInt8(ascii: "m"):
            try SDPMediaDescription.validate(line.content)
        case UInt8(ascii: "b"):
            _ = try SDPBandwidth.parse(line.content)
        case UInt8(ascii: "t"):
            _ = try SDPTiming.parse(line.content)
        case UInt8(ascii: "a"):
            try validateAttribute(line)
        default:
            break
        }
    }

    private static func validateAttribute(_ line: SDPLine) throws(SDPParseError) {
        guard let name = line.attributeName, !name.isEmpty else {
            throw SDPParseError(.invalidAttribute, at: line.content.startIndex)
        }
        let value = line.attributeValue ?? line.content[line.content.endIndex...]
        if SDPBytes.equalsIgnoringCase(name, "rtcp") {
            _ = try SDPRTCPAttribute.parse(value)
        } else if SDPBytes.equalsIgnoringCase(name, "rtpmap") {
            _ = try SDPRTPMap.parse(value)
        } else if SDPBytes.equalsIgnoringCase(name, "ptime") {
            let whole = value.prefix { $0 != UInt8(ascii: ".") }
            let fraction = value[whole.endIndex...].dropFirst()
            guard SDPBytes.parseUInt(whole, max: 100_000) != nil,
                  fraction.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
            else { throw SDPParseError(.invalidAttribute, at: value.startIndex) }
        }
    }
}
