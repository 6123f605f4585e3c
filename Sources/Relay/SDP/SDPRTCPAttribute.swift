/// `a=rtcp:<port> [<nettype> <addrtype> <connection-address>]` (RFC 3605).
public struct SDPRTCPAttribute: Sendable, Equatable {
    public var port: Int
    public var address: SDPAddress?

    public init(port: Int, address: SDPAddress? = nil) {
        self.port = port
        self.address = address
    }

    static func parse(_ value: ArraySlice<UInt8>) throws(SDPParseError) -> SDPRTCPAttribute {
        let t = SDPBytes.tokens(value)
        guard let first = t.first, let port = SDPBytes.parsePort(first) else {
            throw SDPParseError(.invalidPort, at: value.startIndex)
        }
        switch t.count {
        case 1:
            return SDPRTCPAttribute(port: port)
        case 4:
            return SDPRTCPAttribute(port: port, address: SDPAddress(type: SDPAddressType(t[2]), address: Array(t[3])))
        default:
            throw SDPParseError(.invalidAttribute, at: t[1].startIndex)
        }
    }

    /// The attribute value as written after `a=rtcp:`.
    var valueBytes: [UInt8] {
        var out = SDPBytes.decimal(port)
        if let address {
            out.append(0x20)
            out.append(contentsOf: address.connectionBytes)
        }
        return out
    }
}
