/// `a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> [extensions]`
/// (RFC 8839). Parsed leniently: a malformed candidate is skipped by the accessors rather than failing the body,
/// because the relay normally strips or replaces candidates anyway.
public struct SDPCandidate: Sendable, Equatable {
    public var foundation: [UInt8]
    public var component: Int
    public var transport: [UInt8]
    public var priority: UInt32
    public var address: [UInt8]
    public var port: Int
    /// `host`, `srflx`, `prflx`, `relay`.
    public var type: [UInt8]
    /// Everything after the type (`raddr`, `rport`, `generation`, ...), verbatim.
    public var extensions: [UInt8]

    static func parse(_ value: ArraySlice<UInt8>) -> SDPCandidate? {
        let t = SDPBytes.tokens(value, max: 9)
        guard t.count >= 8,
              let component = SDPBytes.parseUInt(t[1], max: 256),
              let priority = SDPBytes.parseUInt(t[3], max: UInt64(UInt32.max)),
              let port = SDPBytes.parsePort(t[5]),
              SDPBytes.equalsIgnoringCase(t[6], "typ")
        else { return nil }
        return SDPCandidate(foundation: Array(t[0]), component: Int(component), transport: Array(t[2]),
                            priority: UInt32(priority), address: Array(t[4]), port: port, type: Array(t[7]),
                            extensions: t.count > 8 ? Array(t[8]) : [])
    }
}
