/// The `<addrtype>` of `c=`, `o=` and `a=rtcp`.
public enum SDPAddressType: Sendable, Equatable {
    case ip4
    case ip6
    /// Anything else, kept verbatim.
    case other([UInt8])

    init(_ bytes: ArraySlice<UInt8>) {
        if SDPBytes.equalsIgnoringCase(bytes, "IP4") {
            self = .ip4
        } else if SDPBytes.equalsIgnoringCase(bytes, "IP6") {
            self = .ip6
        } else {
            self = .other(Array(bytes))
        }
    }

    public var bytes: [UInt8] {
        switch self {
        case .ip4: return Array("IP4".utf8)
        case .ip6: return Array("IP6".utf8)
        case .other(let b): return b
        }
    }
}

/// An address as SDP writes it: type plus the textual address (IP literal or, rarely, a host name).
///
/// The relay parses the text into a socket address itself; the codec only carries it.
public struct SDPAddress: Sendable, Equatable {
    public var type: SDPAddressType
    public var address: [UInt8]

    public init(type: SDPAddressType, address: [UInt8]) {
        self.type = type
        self.address = address
    }

    /// `IN IP4 <address>`; the caller guarantees the literal is an IPv4 address.
    public static func ip4(_ address: String) -> SDPAddress { SDPAddress(type: .ip4, address: Array(address.utf8)) }
    /// `IN IP6 <address>`; the caller guarantees the literal is an IPv6 address.
    public static func ip6(_ address: String) -> SDPAddress { SDPAddress(type: .ip6, address: Array(address.utf8)) }

    public var addressString: String { String(decoding: address, as: UTF8.self) }

    /// `0.0.0.0` or `::` (RFC 3264 hold, or "no address yet").
    public var isUnspecified: Bool {
        address == Array("0.0.0.0".utf8) || address == Array("::".utf8)
    }

    /// `IN <type> <address>` as written in `c=` and `a=rtcp`.
    var connectionBytes: [UInt8] {
        var out = Array("IN ".utf8)
        out.append(contentsOf: type.bytes)
        out.append(0x20)
        out.append(contentsOf: address)
        return out
    }
}
