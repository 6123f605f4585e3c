/// One Via value (RFC 3261 §20.42, §18.2.1, RFC 3581 rport):
/// `sent-protocol LWS sent-by *( SEMI via-params )`.
public struct SIPVia: Sendable, Hashable, CustomStringConvertible {
    /// `rport` (RFC 3581): absent, present without a value (the client asks for it), or filled in.
    public enum RPort: Sendable, Hashable {
        case absent, requested
        case value(Int)
    }

    public var protocolName: String
    public var protocolVersion: String
    /// Transport as written (UDP, TCP, TLS, SCTP, WS, WSS, or an extension).
    public var transport: String
    public var host: SIPHost
    public var port: Int?
    public var parameters: [SIPParameter]

    public init(transport: String, host: SIPHost, port: Int? = nil, parameters: [SIPParameter] = [],
                protocolName: String = "SIP", protocolVersion: String = "2.0")
    {
        self.protocolName = protocolName
        self.protocolVersion = protocolVersion
        self.transport = transport
        self.host = host
        self.port = port
        self.parameters = parameters
    }

    /// Parses one Via value (offsets in errors are into `text`).
    public init(_ text: String) throws(SIPParseError) {
        let bytes = Array(text.utf8)
        self = try SIPViaParser.parse(bytes, 0..<bytes.count)
    }

    public var branch: String? { parameters.first(named: "branch")?.value }
    /// Whether the branch carries the RFC 3261 magic cookie *and* something after it
    /// (RFC 4475 §3.2.1 badbranch: a bare cookie does not make a usable transaction id).
    public var hasRFC3261Branch: Bool {
        guard let branch, branch.hasPrefix("z9hG4bK") else { return false }
        return branch.utf8.count > 7
    }
    public var received: String? { parameters.first(named: "received")?.value }
    public var maddr: String? { parameters.first(named: "maddr")?.value }
    /// `ttl` (0...255), nil when absent or malformed.
    public var ttl: Int? {
        guard let text = parameters.first(named: "ttl")?.value, let v = Int(text), (0...255).contains(v) else { return nil }
        return v
    }
    public var rport: RPort {
        guard let p = parameters.first(named: "rport") else { return .absent }
        guard let text = p.value else { return .requested }
        guard let v = Int(text), (0...65535).contains(v) else { return .requested }
        return .value(v)
    }

    public var description: String {
        var out = "\(protocolName)/\(protocolVersion)/\(transport) \(host)"
        if let port { out += ":\(port)" }
        return out + parameters.serialized
    }
}

enum SIPViaParser {
    static func parse(_ b: [UInt8], _ range: Range<Int>) throws(SIPParseError) -> SIPVia {
        let err = SIPParseError.Kind.badVia
        var s = SIPValueScanner(b, range)
        s.skipLWS()
        guard let name = s.token() else { throw SIPParseError(err, at: s.position) }
        guard s.consumeSeparator(UInt8(ascii: "/")), let version = s.token() else { throw SIPParseError(err, at: s.position) }
        guard s.consumeSeparator(UInt8(ascii: "/")), let transport = s.token() else { throw SIPParseError(err, at: s.position) }
        let beforeLWS = s.position
        s.skipLWS()
        guard s.position > beforeLWS else { throw SIPParseError(err, at: s.position) }
        var i = s.position
        var hostEnd = i
        if hostEnd < s.end && b[hostEnd] == UInt8(ascii: "[") {
            while hostEnd < s.end && b[hostEnd] != UInt8(ascii: "]") { hostEnd += 1 }
            if hostEnd < s.end { hostEnd += 1 }
        } else {
            while hostEnd < s.end {
                let c = b[hostEnd]
                if SIPBytes.isLWS(c) || c == UInt8(ascii: ";") || c == UInt8(ascii: ":") { break }
                hostEnd += 1
            }
        }
        let host = try SIPURIParser.host(b, &i, hostEnd, err)
        guard i == hostEnd else { throw SIPParseError(err, at: i) }
        s.position = i
        var port: Int?
        if s.consumeSeparator(UInt8(ascii: ":")) {
            var j = s.position
            port = try SIPURIParser.port(b, &j, s.end, err)
            s.position = j
        }
        let params = try s.parameters(err)
        try s.expectEnd(err)
        return SIPVia(transport: SIPBytes.string(b, transport), host: host, port: port, parameters: params,
                      protocolName: SIPBytes.string(b, name), protocolVersion: SIPBytes.string(b, version))
    }
}
