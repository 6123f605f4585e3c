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
    static func format(_ instant: RegistrarInstant) -> String {
        let seconds = instant.milliseconds >= 0 ? instant.milliseconds / 1000 : (instant.milliseconds - 999) / 1000
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let weekday = weekdays[Int(((days % 7) + 7) % 7)]
        // Civil-from-days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(weekday), \(two(day)) \(months[Int(month - 1)]) \(year) "
            + "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) GMT"
    }
}
