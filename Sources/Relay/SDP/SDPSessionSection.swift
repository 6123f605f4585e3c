/// The session-level part of an SDP body: every line before the first `m=`.
public struct SDPSessionSection: SDPSection, Equatable {
    public var lines: [SDPLine]
    public let lineTerminator: SDPLineTerminator
    public static let connectionPredecessors: [UInt8] = Array("vosiuep".utf8)

    public init(lines: [SDPLine], lineTerminator: SDPLineTerminator) {
        self.lines = lines
        self.lineTerminator = lineTerminator
    }

    public var origin: SDPOrigin? {
        guard let line = lines.first(where: { $0.type == UInt8(ascii: "o") }) else { return nil }
        return try? SDPOrigin.parse(line.content).0
    }

    /// `s=` value, trailing whitespace trimmed.
    public var sessionName: ArraySlice<UInt8>? {
        lines.first(where: { $0.type == UInt8(ascii: "s") })?.trimmedContent
    }

    public var timings: [SDPTiming] {
        lines.compactMap { $0.type == UInt8(ascii: "t") ? try? SDPTiming.parse($0.content) : nil }
    }

    /// Rewrites the address type and address of `o=`, keeping the other fields byte for byte.
    public mutating func setOriginAddress(_ address: SDPAddress) {
        guard let i = lines.firstIndex(where: { $0.type == UInt8(ascii: "o") }),
              let (_, layout) = try? SDPOrigin.parse(lines[i].content)
        else { return }
        let content = lines[i].content
        var replacement = address.type.bytes
        let between = content[layout.addressType.upperBound..<layout.address.lowerBound]
        replacement.append(contentsOf: between)
        replacement.append(contentsOf: address.address)
        lines[i].content = SDPBytes.splice(content, replacing: layout.addressType.lowerBound..<layout.address.upperBound,
                                           with: replacement)
    }

    /// `o=`'s session version digits (nil without a valid `o=` line).
    public var originVersion: [UInt8]? {
        guard let line = lines.first(where: { $0.type == UInt8(ascii: "o") }),
              let (_, layout) = try? SDPOrigin.parse(line.content)
        else { return nil }
        return Array(line.content[layout.version])
    }

    /// Writes `digits` as `o=`'s session version, keeping the other fields byte for byte (`replace: SDP-version`).
    public mutating func setOriginVersion(_ digits: [UInt8]) {
        guard let i = lines.firstIndex(where: { $0.type == UInt8(ascii: "o") }),
              let (_, layout) = try? SDPOrigin.parse(lines[i].content)
        else { return }
        lines[i].content = SDPBytes.splice(lines[i].content, replacing: layout.version, with: digits)
    }

    /// Adds one to `o=`'s session version (as RFC 3264 requires for a changed offer), in decimal of any length.
    public mutating func incrementOriginVersion() {
        guard let i = lines.firstIndex(where: { $0.type == UInt8(ascii: "o") }),
              let (_, layout) = try? SDPOrigin.parse(lines[i].content)
        else { return }
        let content = lines[i].content
        let next = SDPBytes.incrementDecimal(content[layout.version])
        lines[i].content = SDPBytes.splice(content, replacing: layout.version, with: next)
    }
}
