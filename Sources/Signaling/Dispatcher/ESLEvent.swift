/// An event as `text/event-plain` carries it: `Name: %-encoded value` lines, an empty line, and a
/// body if the event has one (then a `Content-Length` header precedes it).
public struct ESLEvent: Sendable, Hashable {
    public var headers: [ESLHeaderField]
    public var body: [UInt8]

    public init(headers: [ESLHeaderField], body: [UInt8] = []) {
        self.headers = headers
        self.body = body
    }

    /// Decodes a plain event from a frame body (values %-decoded; offsets in errors are into it).
    public init(plain bytes: [UInt8]) throws(ESLParseError) {
        guard let block = try ESLHeaderBlock.parse(bytes, from: 0, base: 0, decodeValues: true, endIsTerminator: true)
        else { throw ESLParseError(.truncatedEventBody, at: bytes.count) }
        headers = block.headers
        let length = block.contentLength ?? 0
        guard bytes.count - block.end >= length else { throw ESLParseError(.truncatedEventBody, at: bytes.count) }
        body = Array(bytes[block.end..<(block.end + length)])
    }

    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    public var name: String? { header("Event-Name") }
}
