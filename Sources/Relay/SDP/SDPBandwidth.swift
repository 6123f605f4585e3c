/// `b=<bwtype>:<bandwidth>` (`AS`, `CT`, `TIAS`, `RS`, `RR`).
public struct SDPBandwidth: Sendable, Equatable {
    public var type: [UInt8]
    public var value: UInt64

    static func parse(_ content: ArraySlice<UInt8>) throws(SDPParseError) -> SDPBandwidth {
        let trimmed = SDPBytes.trimTrailing(content)
        guard let colon = trimmed.firstIndex(of: UInt8(ascii: ":")), colon > trimmed.startIndex,
              let value = SDPBytes.parseUInt(trimmed[(colon + 1)...])
        else { throw SDPParseError(.invalidBandwidth, at: content.startIndex) }
        return SDPBandwidth(type: Array(trimmed[trimmed.startIndex..<colon]), value: value)
    }
}

/// `t=<start-time> <stop-time>` (NTP seconds; 0 0 for an unbounded session).
public struct SDPTiming: Sendable, Equatable {
    public var start: UInt64
    public var stop: UInt64

    static func parse(_ content: ArraySlice<UInt8>) throws(SDPParseError) -> SDPTiming {
        let t = SDPBytes.tokens(content)
        guard t.count == 2, let start = SDPBytes.parseUInt(t[0]), let stop = SDPBytes.parseUInt(t[1]) else {
            throw SDPParseError(.invalidTiming, at: content.startIndex)
        }
        return SDPTiming(start: start, stop: stop)
    }
}
