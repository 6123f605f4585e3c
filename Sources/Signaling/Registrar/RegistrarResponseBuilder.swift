/// Writes the registrar's responses. The To tag is a hash of Call-ID and CSeq so a retransmitted
/// REGISTER gets a byte-identical answer without the registrar keeping transaction state.
enum RegistrarResponseBuilder {
    static func ok(to request: SIPMessage, bindings: [RegistrarBinding], now: RegistrarInstant,
                   path: [String], includePath: Bool, addDate: Bool) -> SIPMessage?
    {
        var headers: [(name: String, value: String)] = bindings.map {
            (name: "Contact", value: "\($0.contact);expires=\(now.secondsUntil($0.expiresAt))")
        }
        if includePath && !path.isEmpty {
            headers.append(contentsOf: path.map { (name: "Path", value: $0) })
            headers.append((name: "Supported", value: "path"))
        }
        if addDate { headers.append((name: "Date", value: HTTPDate.format(now))) }
        return try? SIPMessage.response(to: request, status: 200, reason: "OK", toTag: toTag(request),
                                        extraHeaders: headers)
    }

    static func error(to request: SIPMessage, _ rejection: RegistrarRejection) -> SIPMessage? {
        try? SIPMessage.response(to: request, status: rejection.status, reason: rejection.reason,
                                 toTag: toTag(request), extraHeaders: rejection.extraHeaders)
    }

    /// FNV-1a over Call-ID, CSeq and the top Via branch, as 16 hex digits.
    static func toTag(_ request: SIPMessage) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) {
            for b in text.utf8 {
                hash ^= UInt64(b)
                hash = hash &* 0x100_0000_01b3
            }
        }
        mix((try? request.callID) ?? "")
        mix((try? request.cseq)?.description ?? "")
        mix((try? request.topVia)?.branch ?? "")
        // 16 hex digits without the generic radix formatter (this runs for every REGISTER).
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 { out[15 - i] = digits[Int((hash >> (UInt64(i) * 4)) & 0xF)] }
        return String(decoding: out, as: UTF8.self)
    }
}

/// RFC 1123 date (`Sun, 06 Nov 1994 08:49:37 GMT`) for the Date header, without Foundation.
enum HTTPDate {
    /// The Date header value for a registrar instant; the calendar arithmetic lives once, in `RFC1123Date`.
    static func format(_ instant: RegistrarInstant) -> String {
        let ms = instant.milliseconds
        return RFC1123Date.format(unixSeconds: ms >= 0 ? ms / 1000 : (ms - 999) / 1000)
    }
}
