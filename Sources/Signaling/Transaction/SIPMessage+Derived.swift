/// Requests a transaction user or the transaction layer derives from a request it sent: the ACK
/// for a non-2xx final response (RFC 3261 §17.1.1.3) and a CANCEL (§9.1). Both copy header values
/// as written and carry only the original's top Via, so their branch is the original's and they
/// match the same transaction downstream.
extension SIPMessage {
    /// The ACK a client INVITE transaction sends for `response` (3xx–6xx): same Request-URI,
    /// Call-ID, From, CSeq number and Route set as the INVITE, To from the response (with its tag).
    public func ackForNon2xx(_ response: SIPMessage) throws(SIPParseError) -> SIPMessage {
        guard let uri = try requestURI else { throw SIPParseError(.badStartLine, at: 0) }
        guard let via = try topVia else { throw SIPParseError(.missingHeader(.via), at: 0) }
        let cseq = try cseq
        var headers: [(name: String, value: String)] = [("Via", via.description)]
        for route in values(.route) { headers.append(("Route", route)) }
        headers.append(("Max-Forwards", "70"))
        try headers.append(("From", rawValue(.from)))
        try headers.append(("To", response.rawValue(.to)))
        try headers.append(("Call-ID", rawValue(.callID)))
        headers.append(("CSeq", "\(cseq.sequence) ACK"))
        return try SIPMessage.request(method: .ack, uri: uri, headers: headers)
    }

    /// A CANCEL for this (INVITE) request: same Request-URI, Call-ID, From, To, CSeq number,
    /// top Via and Route set; CSeq method CANCEL.
    public func cancelRequest() throws(SIPParseError) -> SIPMessage {
        guard let uri = try requestURI else { throw SIPParseError(.badStartLine, at: 0) }
        guard let via = try topVia else { throw SIPParseError(.missingHeader(.via), at: 0) }
        let cseq = try cseq
        var headers: [(name: String, value: String)] = [("Via", via.description)]
        for route in values(.route) { headers.append(("Route", route)) }
        headers.append(("Max-Forwards", "70"))
        try headers.append(("From", rawValue(.from)))
        try headers.append(("To", rawValue(.to)))
        try headers.append(("Call-ID", rawValue(.callID)))
        headers.append(("CSeq", "\(cseq.sequence) CANCEL"))
        return try SIPMessage.request(method: .cancel, uri: uri, headers: headers)
    }

    /// The value of a header that must be present once, as written.
    func rawValue(_ kind: SIPHeaderKind) throws(SIPParseError) -> String {
        SIPBytes.string(bytes, try requiredValueRange(kind))
    }
}
