/// A `c=<nettype> <addrtype> <connection-address>` line.
public struct SDPConnection: Sendable, Equatable {
    public var networkType: [UInt8]
    public var address: SDPAddress
    /// Multicast `/<ttl>[/<count>]` suffix bytes after the first `/`, if present.
    public var multicastSuffix: [UInt8]?

    /// `parse`'s checks (same errors, same offsets) without building the value, for the parser's validation pass.
    static func validate(_ content: ArraySlice<UInt8>) throws(SDPParseError) {
        let shape = SDPBytes.tokenShape(content, keeping: 2, limit: 3)
        guard shape.count == 3, let address = shape.kept else {
            throw SDPParseError(.invalidConnection, at: shape.beyondLimit ?? content.startIndex)
        }
        let end = content[address].firstIndex(of: UInt8(ascii: "/")) ?? address.upperBound
        guard end > address.lowerBound else { throw SDPParseError(.invalidConnection, at: address.lowerBound) }
    }

    static func parse(_ content: ArraySlice<UInt8>) throws(SDPParseError) -> SDPConnection {
        // Token by token (no array of tokens): read on every offer and answer, for every media section.
        var index = content.startIndex
        guard let network = SDPBytes.nextToken(content, from: &index),
              let addressType = SDPBytes.nextToken(content, from: &index),
              let address = SDPBytes.nextToken(content, from: &index)
        else { throw SDPParseError(.invalidConnection, at: content.startIndex) }
        if let extra = SDPBytes.nextToken(content, from: &index) {
            throw SDPParseError(.invalidConnection, at: extra.lowerBound)
        }
        var addr = content[address]
        var suffix: [UInt8]?
        if let slash = addr.firstIndex(of: UInt8(ascii: "/")) {
            suffix = Array(addr[(slash + 1)...])
            addr = addr[addr.startIndex..<slash]
        }
        guard !addr.isEmpty else { throw SDPParseError(.invalidConnection, at: address.lowerBound) }
        return SDPConnection(networkType: Array(content[network]),
                             address: SDPAddress(type: SDPAddressType(content[addressType]), address: Array(addr)),
                             multicastSuffix: suffix)
    }
}
