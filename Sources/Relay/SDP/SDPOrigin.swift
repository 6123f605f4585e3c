/// An `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>` line.
public struct SDPOrigin: Sendable, Equatable {
    public var username: [UInt8]
    public var sessionID: [UInt8]
    /// Decimal digits; may be longer than 64 bits, so it stays text.
    public var sessionVersion: [UInt8]
    public var networkType: [UInt8]
    public var address: SDPAddress

    /// Token positions inside the line content, for splicing a rewrite without touching the other fields.
    struct Layout {
        var version: Range<Int>
        var addressType: Range<Int>
        var address: Range<Int>
    }

    /// `parse`'s checks (same errors, same offsets) without building the value: the parser validates every `o=`
    /// line of every ng offer and answer, and the token array and six byte arrays were only thrown away (issue 3).
    static func validate(_ content: ArraySlice<UInt8>) throws(SDPParseError) {
        let shape = SDPBytes.tokenShape(content, keeping: 2, limit: 6)
        guard shape.count == 6, let version = shape.kept else {
            throw SDPParseError(.invalidOrigin, at: shape.beyondLimit ?? content.startIndex)
        }
        guard content[version].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw SDPParseError(.invalidOrigin, at: version.lowerBound)
        }
    }

    static func parse(_ content: ArraySlice<UInt8>) throws(SDPParseError) -> (SDPOrigin, Layout) {
        let t = SDPBytes.tokens(content)
        guard t.count == 6 else {
            throw SDPParseError(.invalidOrigin, at: t.count > 6 ? t[6].startIndex : content.startIndex)
        }
        guard t[2].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw SDPParseError(.invalidOrigin, at: t[2].startIndex)
        }
        let origin = SDPOrigin(username: Array(t[0]), sessionID: Array(t[1]), sessionVersion: Array(t[2]),
                               networkType: Array(t[3]),
                               address: SDPAddress(type: SDPAddressType(t[4]), address: Array(t[5])))
        let layout = Layout(version: t[2].startIndex..<t[2].endIndex,
                            addressType: t[4].startIndex..<t[4].endIndex,
                            address: t[5].startIndex..<t[5].endIndex)
        return (origin, layout)
    }
}
