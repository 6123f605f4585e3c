/// `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]`.
public struct SDPRTPMap: Sendable, Equatable {
    public var payloadType: Int
    public var encodingName: [UInt8]
    public var clockRate: Int
    /// Channels for audio; kept as text because it is opaque for other media.
    public var encodingParameters: [UInt8]?

    public var encodingNameString: String { String(decoding: encodingName, as: UTF8.self) }

    static func parse(_ value: ArraySlice<UInt8>) throws(SDPParseError) -> SDPRTPMap {
        let t = SDPBytes.tokens(value, max: 2)
        guard t.count == 2, let pt = SDPBytes.parseUInt(t[0], max: 127) else {
            throw SDPParseError(.invalidAttribute, at: value.startIndex)
        }
        let parts = t[1].split(separator: UInt8(ascii: "/"), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, !parts[0].isEmpty, let rate = SDPBytes.parseUInt(parts[1], max: UInt64(Int32.max)) else {
            throw SDPParseError(.invalidAttribute, at: t[1].startIndex)
        }
        return SDPRTPMap(payloadType: Int(pt), encodingName: Array(parts[0]), clockRate: Int(rate),
                         encodingParameters: parts.count > 2 ? Array(parts[2]) : nil)
    }
}

/// `a=fmtp:<format> <format specific parameters>`; parameters stay opaque bytes.
public struct SDPFormatParameters: Sendable, Equatable {
    public var format: [UInt8]
    public var parameters: [UInt8]

    static func parse(_ value: ArraySlice<UInt8>) -> SDPFormatParameters? {
        let t = SDPBytes.tokens(value, max: 2)
        guard let first = t.first else { return nil }
        return SDPFormatParameters(format: Array(first), parameters: t.count > 1 ? Array(t[1]) : [])
    }
}
