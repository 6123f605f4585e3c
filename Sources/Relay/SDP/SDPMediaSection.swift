/// One `m=` section: its `m=` line and every line up to the next `m=`.
public struct SDPMediaSection: SDPSection, Equatable {
    public var lines: [SDPLine]
    public let lineTerminator: SDPLineTerminator
    public static let connectionPredecessors: [UInt8] = Array("mi".utf8)

    /// `lines[0]` must be the `m=` line (the parser guarantees it).
    public init(lines: [SDPLine], lineTerminator: SDPLineTerminator) {
        self.lines = lines
        self.lineTerminator = lineTerminator
    }

    /// The parsed `m=` line. The parser validated it, so this only fails if a caller broke `lines[0]`.
    public var mediaDescription: SDPMediaDescription? {
        guard let first = lines.first, first.type == UInt8(ascii: "m") else { return nil }
        return try? SDPMediaDescription.parse(first.content)
    }

    public var port: Int? { mediaDescription?.port }

    public var rtcp: SDPRTCPAttribute? { attributeValue("rtcp").flatMap { try? SDPRTCPAttribute.parse($0) } }

    public var isRTCPMux: Bool { hasAttribute("rtcp-mux") }

    public var rtpmaps: [SDPRTPMap] { attributeValues("rtpmap").compactMap { try? SDPRTPMap.parse($0) } }

    public var formatParameters: [SDPFormatParameters] {
        attributeValues("fmtp").compactMap { SDPFormatParameters.parse($0) }
    }

    public var mid: ArraySlice<UInt8>? { attributeValue("mid") }

    /// `a=ptime` in whole milliseconds (a fractional part such as `20.0` is ignored).
    public var ptime: Int? {
        guard let value = attributeValue("ptime") else { return nil }
        let whole = value.prefix { $0 != UInt8(ascii: ".") }
        return SDPBytes.parseUInt(whole, max: 100_000).map { Int($0) }
    }

    /// Rewrites only the port digits of `m=`, keeping `/<count>`, protocol and formats as they were.
    public mutating func setPort(_ port: Int) {
        guard let first = lines.first, first.type == UInt8(ascii: "m"),
              let range = SDPMediaDescription.portRange(first.content)
        else { return }
        lines[0].content = SDPBytes.splice(first.content, replacing: range, with: SDPBytes.decimal(port))
    }

    /// Rewrites only the `<proto>` token of `m=` (ng `transport protocol`), keeping port, formats and spacing.
    public mutating func setTransportProtocol(_ proto: [UInt8]) {
        guard let first = lines.first, first.type == UInt8(ascii: "m") else { return }
        let tokens = SDPBytes.tokens(first.content, max: 4)  // media, port, proto, the formats as one
        guard tokens.count >= 3 else { return }
        let token = tokens[2]
        lines[0].content = SDPBytes.splice(first.content, replacing: token.startIndex..<token.endIndex, with: proto)
    }

    /// Writes `a=rtcp:<port>[ IN <type> <address>]`, replacing an existing `a=rtcp` or appending one.
    public mutating func setRTCP(_ rtcp: SDPRTCPAttribute) {
        setAttribute("rtcp", value: rtcp.valueBytes)
    }

    @discardableResult
    public mutating func removeRTCP() -> Int { removeAttributes(named: "rtcp") }

    /// Adds `a=rtcp-mux` if absent, or removes every copy.
    public mutating func setRTCPMux(_ enabled: Bool) {
        if enabled {
            if !isRTCPMux { appendLine(.attribute("rtcp-mux", terminator: lineTerminator)) }
        } else {
            removeAttributes(named: "rtcp-mux")
        }
    }
}
