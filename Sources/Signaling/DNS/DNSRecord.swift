/// One resource record of an answer, authority or additional section.
public struct DNSRecord: Sendable, Hashable {
    public var name: DNSName
    public var type: DNSRecordType
    /// CLASS; 1 (IN) for everything the locator asks.
    public var recordClass: UInt16
    /// Seconds; RFC 2181 §8: a value with the top bit set is treated as zero.
    public var ttl: UInt32
    public var data: DNSRecordData

    public init(name: DNSName, type: DNSRecordType, recordClass: UInt16 = 1, ttl: UInt32, data: DNSRecordData) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
        self.ttl = ttl
        self.data = data
    }

    /// A record whose type follows from its data (for building answers in tests and fakes).
    public init(name: DNSName, ttl: UInt32, data: DNSRecordData) {
        self.init(name: name, type: data.type, ttl: ttl, data: data)
    }
}

/// The RDATA of the types RFC 3263 needs; anything else is kept raw.
public enum DNSRecordData: Sendable, Hashable {
    /// Four bytes, network order.
    case a([UInt8])
    /// Sixteen bytes, network order.
    case aaaa([UInt8])
    case cname(DNSName)
    /// RFC 2782.
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName)
    /// RFC 3403 §4.1; flags/services/regexp are character-strings, kept as bytes.
    case naptr(order: UInt16, preference: UInt16, flags: [UInt8], services: [UInt8], regexp: [UInt8], replacement: DNSName)
    /// Only what negative caching needs (RFC 2308 §5): the MINIMUM field.
    case soa(primary: DNSName, mailbox: DNSName, serial: UInt32, minimum: UInt32)
    case other(type: DNSRecordType, bytes: [UInt8])

    public var type: DNSRecordType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .cname: .cname
        case .srv: .srv
        case .naptr: .naptr
        case .soa: .soa
        case .other(let type, _): type
        }
    }
}
