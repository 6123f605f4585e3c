/// A resource record TYPE (RFC 1035 §3.2.2). A struct over the raw number rather than an enum so that
/// every type a server may send decodes (unknown ones are kept as opaque rdata) and none is an error.
public struct DNSRecordType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSRecordType(rawValue: 1)
    public static let cname = DNSRecordType(rawValue: 5)
    public static let soa = DNSRecordType(rawValue: 6)
    public static let aaaa = DNSRecordType(rawValue: 28)
    public static let srv = DNSRecordType(rawValue: 33)
    public static let naptr = DNSRecordType(rawValue: 35)

    public var description: String {
        switch self {
        case .a: "A"
        case .cname: "CNAME"
        case .soa: "SOA"
        case .aaaa: "AAAA"
        case .srv: "SRV"
        case .naptr: "NAPTR"
        default: "TYPE\(rawValue)"
        }
    }
}

/// Response codes the locator tells apart (RFC 1035 §4.1.1).
public enum DNSResponseCode: UInt8, Sendable, Hashable {
    case noError = 0
    case formatError = 1
    case serverFailure = 2
    case nameError = 3
    case notImplemented = 4
    case refused = 5
}
