/// Writes the registrar's responses. The To tag is a hash of Call-ID and CSeq so a retransmitted
/// REGISTER gets a byte-identical answer without the registrar keeping transaction state.
enum RegistrarResponseBuilder {
    /// The 200 OK written from the request's bytes (`SIPResponseWriter`): Via/From/Call-ID/CSeq
    /// copied, To with our tag, one Contact per live binding with its remaining `expires`, Path and
    /// `Supported: path` when the phone supports Path, Date. `parsed` and `branch` (the top Via's)
    /// are what the registrar already decoded, so no header is parsed again here; `date` is the
    /// Date value (formatted once a second by the caller), nil for none.
    static func ok(to request: SIPMessage, parsed: RegisterRequest, branch: String?, bindings: [RegistrarBinding],
                   now: RegistrarInstant, date: [UInt8]?) -> SIPMessage?
    {
        let tag = toTag(callID: parsed.callID, cseq: parsed.cseq, method: .register, branch: branch ?? "")
        guard var writer = SIPResponseWriter(respondingTo: request, status: 200, reason: "OK", toTag: tag,
                                             toHasTag: parsed.toHasTag, extraCapacity: 64 + bindings.count * 96)
        else { return nil }
        for binding in bindings {
            let ok = writer.append(.contact, name: "Contact") { out in
                out.append(contentsOf: binding.contact.utf8)
                out.append(contentsOf: ";expires=".utf8)
                SIPResponseWriter.appendDecimal(now.secondsUntil(binding.expiresAt), to: &out)
            }
            guard ok else { return nil }
        }
        if parsed.supportsPath && !parsed.path.isEmpty {
            for value in parsed.path {
                guard writer.append(.path, name: "Path", bytes: value.utf8) else { return nil }
            }
            guard writer.append(.supported, name: "Supported", bytes: "path".utf8) else { return nil }
        }
        if let date {
            guard writer.append(.date, name: "Date", bytes: date) else { return nil }
        }
        return writer.finish()
    }

    static func error(to request: SIPMessage, _ rejection: RegistrarRejection) -> SIPMessage? {
        try? SIPMessage.response(to: request, status: rejection.status, reason: rejection.reason,
                                 toTag: toTag(request), extraHeaders: rejection.extraHeaders)
    }

    /// FNV-1a over Call-ID, CSeq and the top Via branch, as 16 hex digits.
    static func toTag(_ request: SIPMessage) -> String {
        let cseq = try? request.cseq
        let tag = toTag(callID: (try? request.callID) ?? "", cseq: cseq?.sequence, method: cseq?.method,
                        branch: (try? request.topVia)?.branch ?? "")
        return String(decoding: tag, as: UTF8.self)
    }

    /// The tag from parsed values: the hash runs over the CSeq's text (`"<n> <METHOD>"`, empty
    /// when there is none) without building it, so both forms give the same tag.
    static func toTag(callID: String, cseq: UInt32?, method: SIPMethod?, branch: String) -> [UInt8] {
        // Plain loops over one local (a nested `mix` function capturing the hash cost a context and
        // generic metadata look-ups per REGISTER).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in callID.utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
        if let cseq, let method {
            // The decimal digits of the CSeq number, most significant first, without an array.
            var divisor: UInt32 = 1
            while cseq / divisor >= 10 { divisor &*= 10 }
            var rest = cseq
            while true {
                hash = (hash ^ UInt64(0x30 + rest / divisor)) &* 0x100_0000_01b3
                rest %= divisor
                if divisor == 1 { break }
                divisor /= 10
            }
            hash = (hash ^ UInt64(SIPBytes.sp)) &* 0x100_0000_01b3
            for b in method.description.utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
        }
        for b in branch.utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
        // 16 hex digits without the generic radix formatter (this runs for every REGISTER).
        return [UInt8](unsafeUninitializedCapacity: 16) { out, count in
            for i in 0..<16 {
                let nibble = UInt8(truncatingIfNeeded: (hash >> (UInt64(i) * 4)) & 0xF)
                out[15 - i] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
            }
            count = 16
        }
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
