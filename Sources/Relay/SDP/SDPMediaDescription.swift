/// An `m=<media> <port>[/<number of ports>] <proto> <fmt> ...` line.
public struct SDPMediaDescription: Sendable, Equatable {
    /// `audio`, `video`, `application`, `image`, ...
    public var media: [UInt8]
    public var port: Int
    /// The `/<n>` count after the port, if present.
    public var portCount: Int?
    /// `RTP/AVP`, `UDP/TLS/RTP/SAVPF`, `udptl`, ...
    public var transportProtocol: [UInt8]
    /// Format tokens (payload type numbers for RTP), split from the line's tail when asked: the relay's ng path
    /// never reads them, and building one array per format on every parse was ~3 % of its CPU per call.
    public var formats: [[UInt8]] {
        get { SDPBytes.tokens(formatText).map { Array($0) } }
        set { formatText = Self.formatText(newValue) }
    }
    /// The `<fmt> ...` tail of the line as it was (blanks included).
    private var formatText: ArraySlice<UInt8>

    public init(media: [UInt8], port: Int, portCount: Int?, transportProtocol: [UInt8], formats: [[UInt8]]) {
        self.init(media: media, port: port, portCount: portCount, transportProtocol: transportProtocol,
                  formatText: Self.formatText(formats))
    }

    /// Format tokens written back as the line's tail, one space apart.
    private static func formatText(_ formats: [[UInt8]]) -> ArraySlice<UInt8> {
        ArraySlice(Array(formats.joined(separator: [UInt8(ascii: " ")])))
    }

    private init(media: [UInt8], port: Int, portCount: Int?, transportProtocol: [UInt8], formatText: ArraySlice<UInt8>) {
        self.media = media
        self.port = port
        self.portCount = portCount
        self.transportProtocol = transportProtocol
        self.formatText = formatText
    }

    public static func == (a: SDPMediaDescription, b: SDPMediaDescription) -> Bool {
        a.media == b.media && a.port == b.port && a.portCount == b.portCount
            && a.transportProtocol == b.transportProtocol && a.formats == b.formats
    }

    public var mediaString: String { String(decoding: media, as: UTF8.self) }
    public var transportProtocolString: String { String(decoding: transportProtocol, as: UTF8.self) }
    /// Port 0 marks a rejected or disabled stream (RFC 3264 section 6).
    public var isRejected: Bool { port == 0 }

    /// Where the port digits sit in the line content, so a rewrite leaves `/<n>` and everything else intact.
    static func portRange(_ content: ArraySlice<UInt8>) -> Range<Int>? {
        let t = SDPBytes.tokens(content, max: 3)
        guard t.count >= 2 else { return nil }
        let portToken = t[1]
        let end = portToken.firstIndex(of: UInt8(ascii: "/")) ?? portToken.endIndex
        return portToken.startIndex..<end
    }

    /// `parse`'s checks (same errors, same offsets) without building the value, for the parser's validation pass.
    static func validate(_ content: ArraySlice<UInt8>) throws(SDPParseError) {
        let shape = SDPBytes.tokenShape(content, keeping: 1, limit: 2)
        guard shape.count >= 3, let portToken = shape.kept else { throw SDPParseError(.invalidMedia, at: content.startIndex) }
        var portBytes = content[portToken]
        if let slash = portBytes.firstIndex(of: UInt8(ascii: "/")) {
            guard let n = SDPBytes.parseUInt(portBytes[(slash + 1)...], max: 65535), n > 0 else {
                throw SDPParseError(.invalidPort, at: slash + 1)
            }
            portBytes = portBytes[portBytes.startIndex..<slash]
        }
        guard SDPBytes.parsePort(portBytes) != nil else { throw SDPParseError(.invalidPort, at: portToken.lowerBound) }
    }

    static func parse(_ content: ArraySlice<UInt8>) throws(SDPParseError) -> SDPMediaDescription {
        // Token by token: no array of tokens, and the formats stay one slice.
        var index = content.startIndex
        guard let mediaToken = SDPBytes.nextToken(content, from: &index),
              let portToken = SDPBytes.nextToken(content, from: &index),
              let protocolToken = SDPBytes.nextToken(content, from: &index)
        else { throw SDPParseError(.invalidMedia, at: content.startIndex) }
        var portBytes = content[portToken]
        var count: Int?
        if let slash = portBytes.firstIndex(of: UInt8(ascii: "/")) {
            guard let n = SDPBytes.parseUInt(portBytes[(slash + 1)...], max: 65535), n > 0 else {
                throw SDPParseError(.invalidPort, at: slash + 1)
            }
            count = Int(n)
            portBytes = portBytes[portBytes.startIndex..<slash]
        }
        guard let port = SDPBytes.parsePort(portBytes) else { throw SDPParseError(.invalidPort, at: portToken.lowerBound) }
        return SDPMediaDescription(media: Array(content[mediaToken]), port: port, portCount: count,
                                   transportProtocol: Array(content[protocolToken]), formatText: content[index...])
    }
}
