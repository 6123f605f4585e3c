/// Building new messages. Builders write the bytes and then index them with the ordinary parser,
/// so a built message behaves exactly like a received one.
extension SIPMessage {
    /// A response to `request` per RFC 3261 §8.2.6: Via (all lines, in order), From, Call-ID and
    /// CSeq copied as written, To copied with a tag added when it has none (except for 100, which
    /// must not add one), then `extraHeaders`, Content-Length and the body.
    public static func response(to request: SIPMessage, status: Int, reason: String, toTag: String? = nil,
                                extraHeaders: [(name: String, value: String)] = [], body: [UInt8] = []) throws(SIPParseError)
        -> SIPMessage
    {
        guard request.isRequest else { throw SIPParseError(.badStartLine, at: 0) }
        guard (100...699).contains(status) else { throw SIPParseError(.badStatusCode, at: 0) }
        var out: [UInt8] = []
        out.reserveCapacity(request.layout.headersEnd + 64 + body.count)
        out.append(contentsOf: "SIP/2.0 \(status) ".utf8)
        out.append(contentsOf: try checkedValue(reason))
        out.append(contentsOf: [SIPBytes.cr, SIPBytes.lf])
        for entry in request.layout.headers {
            switch entry.kind {
            case .via, .from, .callID, .cseq:
                out.append(contentsOf: request.bytes[entry.lineRange])
            case .to:
                let hasTag = (try? request.to.tag) != nil
                if let toTag, !hasTag, status != 100 {
                    out.append(contentsOf: request.bytes[entry.nameRange.lowerBound..<entry.valueRange.upperBound])
                    out.append(contentsOf: ";tag=".utf8)
                    out.append(contentsOf: try checkedValue(toTag))
                    out.append(contentsOf: [SIPBytes.cr, SIPBytes.lf])
                } else {
                    out.append(contentsOf: request.bytes[entry.lineRange])
                }
            default:
                break
            }
        }
        for header in extraHeaders {
            out.append(contentsOf: try checkedName(header.name))
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: try checkedValue(header.value))
            out.append(contentsOf: [SIPBytes.cr, SIPBytes.lf])
        }
        out.append(contentsOf: "Content-Length: \(body.count)\r\n\r\n".utf8)
        out.append(contentsOf: body)
        return try parse(out)
    }

    /// A new request: `method uri SIP/2.0`, the given header lines in order, Content-Length, body.
    public static func request(method: SIPMethod, uri: SIPURI, headers: [(name: String, value: String)],
                               body: [UInt8] = []) throws(SIPParseError) -> SIPMessage
    {
        var out: [UInt8] = []
        out.append(contentsOf: try checkedName(method.description))
        out.append(SIPBytes.sp)
        out.append(contentsOf: uri.description.utf8)
        out.append(contentsOf: " SIP/2.0\r\n".utf8)
        for header in headers where SIPHeaderKind.named(header.name) != .contentLength {
            out.append(contentsOf: try checkedName(header.name))
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: try checkedValue(header.value))
            out.append(contentsOf: [SIPBytes.cr, SIPBytes.lf])
        }
        out.append(contentsOf: "Content-Length: \(body.count)\r\n\r\n".utf8)
        out.append(contentsOf: body)
        let message = try parse(out)
        _ = try message.requestURI
        return message
    }
}
