/// Decodes URIs from a byte range whose end the caller has already found (the Request-URI span,
/// the inside of `<...>`, or an addr-spec). Grammar: RFC 3261 §25.1 SIP-URI/SIPS-URI, RFC 3966
/// (loosely: the subscriber is any run of unreserved/escaped characters), RFC 3986 absoluteURI.
enum SIPURIParser {
    enum Context {
        case requestURI, nameAddr, addrSpec, standalone

        var error: SIPParseError.Kind {
            switch self {
            case .requestURI: return .badRequestURI
            case .nameAddr, .addrSpec: return .badNameAddress
            case .standalone: return .badURI
            }
        }
    }

    static func parse(_ b: [UInt8], _ range: Range<Int>, context: Context) throws(SIPParseError) -> SIPURI {
        let err = context.error
        let end = range.upperBound
        var i = range.lowerBound
        guard i < end, SIPBytes.isAlpha(b[i]) else { throw SIPParseError(err, at: i) }
        while i < end, SIPBytes.isAlphaNum(b[i]) || b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")
            || b[i] == UInt8(ascii: ".")
        {
            i += 1
        }
        guard i < end, b[i] == UInt8(ascii: ":") else { throw SIPParseError(err, at: i) }
        let schemeRange = range.lowerBound..<i
        i += 1
        let scheme: SIPURI.Scheme
        if SIPBytes.equalsLowercased(b, schemeRange, "sip") {
            scheme = .sip
        } else if SIPBytes.equalsLowercased(b, schemeRange, "sips") {
            scheme = .sips
        } else if SIPBytes.equalsLowercased(b, schemeRange, "tel") {
            scheme = .tel
        } else {
            guard i < end else { throw SIPParseError(err, at: i) }
            for j in i..<end where !SIPBytes.isURIChar(b[j]) { throw SIPParseError(err, at: j) }
            return SIPURI(scheme: .other(SIPBytes.string(b, schemeRange)), opaque: SIPBytes.string(b, i..<end))
        }
        var uri = SIPURI(scheme: scheme)
        if scheme == .tel {
            let start = i
            while i < end && b[i] != UInt8(ascii: ";") {
                try checkEscaped(b, &i, end, err) { SIPBytes.isUnreserved($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") }
            }
            guard i > start else { throw SIPParseError(err, at: start) }
            uri.user = SIPBytes.string(b, start..<i)
        } else {
            // userinfo: everything up to the only '@' (neither host, params nor headers may hold one).
            var at = -1
            for j in i..<end where b[j] == UInt8(ascii: "@") { at = j; break }
            if at >= 0 {
                var colon = -1
                let userStart = i
                while i < at {
                    if b[i] == UInt8(ascii: ":") { colon = i; i += 1; break }
                    try checkEscaped(b, &i, at, err) { SIPBytes.isUnreserved($0) || isUserUnreserved($0) }
                }
                guard (colon >= 0 ? colon : at) > userStart else { throw SIPParseError(err, at: userStart) }
                uri.user = SIPBytes.string(b, userStart..<(colon >= 0 ? colon : at))
                if colon >= 0 {
                    while i < at {
                        try checkEscaped(b, &i, at, err) { SIPBytes.isUnreserved($0) || isPasswordUnreserved($0) }
                    }
                    uri.password = SIPBytes.string(b, (colon + 1)..<at)
                }
                i = at + 1
            }
            uri.host = try host(b, &i, end, err)
            if i < end && b[i] == UInt8(ascii: ":") {
                i += 1
                uri.port = try port(b, &i, end, err)
            }
        }
        // uri-parameters
        while i < end && b[i] == UInt8(ascii: ";") {
            i += 1
            let nameStart = i
            while i < end && b[i] != UInt8(ascii: "=") && b[i] != UInt8(ascii: ";") && b[i] != UInt8(ascii: "?") {
                try checkEscaped(b, &i, end, err) { SIPBytes.isUnreserved($0) || isParamUnreserved($0) }
            }
            let nameEnd = i
            guard nameEnd > nameStart else { throw SIPParseError(err, at: nameStart) }
            var value: String?
            if i < end && b[i] == UInt8(ascii: "=") {
                i += 1
                let valueStart = i
                while i < end && b[i] != UInt8(ascii: ";") && b[i] != UInt8(ascii: "?") {
                    try checkEscaped(b, &i, end, err) { SIPBytes.isUnreserved($0) || isParamUnreserved($0) }
                }
                guard i > valueStart else { throw SIPParseError(err, at: valueStart) }
                value = SIPBytes.string(b, valueStart..<i)
            }
            uri.parameters.append(SIPParameter(name: SIPBytes.string(b, nameStart..<nameEnd), value: value))
        }
        if i < end && b[i] == UInt8(ascii: "?") {
            guard context != .requestURI && context != .addrSpec else { throw SIPParseError(err, at: i) }
            repeat {
                i += 1
                let nameStart = i
                while i < end && b[i] != UInt8(ascii: "=") && b[i] != UInt8(ascii: "&") {
                    try checkEscaped(b, &i, end, err) { SIPBytes.isUnreserved($0) || isHeaderUnreserved($0) }
                }
                let nameEnd = i
                guard nameEnd > nameStart, i < end, b[i] == UInt8(ascii: "=") else { throw SIPParseError(err, at: i) }
                i += 1
                let valueStart = i
                while i < end && b[i] != UInt8(ascii: "&") {
                    try checkEscaped(b, &i, end, err) { SIPBytes.isUnreserved($0) || isHeaderUnreserved($0) }
                }
                uri.headers.append(SIPParameter(name: SIPBytes.string(b, nameStart..<nameEnd),
                                                value: SIPBytes.string(b, valueStart..<i)))
            } while i < end && b[i] == UInt8(ascii: "&")
        }
        guard i == end else { throw SIPParseError(err, at: i) }
        return uri
    }

    /// Consumes one character at `i`: an allowed one, or a `%HH` escape.
    @inline(__always)
    static func checkEscaped(_ b: [UInt8], _ i: inout Int, _ end: Int, _ err: SIPParseError.Kind,
                             _ allowed: (UInt8) -> Bool) throws(SIPParseError)
    {
        let c = b[i]
        if c == UInt8(ascii: "%") {
            guard i + 2 < end, SIPBytes.isHex(b[i + 1]), SIPBytes.isHex(b[i + 2]) else { throw SIPParseError(err, at: i) }
            i += 3
            return
        }
        guard allowed(c) else { throw SIPParseError(err, at: i) }
        i += 1
    }

    /// host = hostname / IPv4address / IPv6reference. Stops at `:`, `;`, `?` or the end.
    static func host(_ b: [UInt8], _ i: inout Int, _ end: Int, _ err: SIPParseError.Kind) throws(SIPParseError) -> SIPHost {
        let start = i
        guard i < end else { throw SIPParseError(err, at: i) }
        if b[i] == UInt8(ascii: "[") {
            i += 1
            var colons = 0
            while i < end && b[i] != UInt8(ascii: "]") {
                guard SIPBytes.isHex(b[i]) || b[i] == UInt8(ascii: ":") || b[i] == UInt8(ascii: ".") else {
                    throw SIPParseError(err, at: i)
                }
                if b[i] == UInt8(ascii: ":") { colons += 1 }
                i += 1
            }
            guard i < end, colons >= 2 else { throw SIPParseError(err, at: i) }
            i += 1
            return SIPHost(kind: .ipv6, text: SIPBytes.string(b, start..<i))
        }
        var allNumeric = true
        while i < end {
            let c = b[i]
            if SIPBytes.isDigit(c) || c == UInt8(ascii: ".") {
            } else if SIPBytes.isAlpha(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") {
                allNumeric = false
            } else {
                break
            }
            i += 1
        }
        guard i > start else { throw SIPParseError(err, at: start) }
        if allNumeric {
            guard isIPv4(b, start..<i) else { throw SIPParseError(err, at: start) }
            return SIPHost(kind: .ipv4, text: SIPBytes.string(b, start..<i))
        }
        guard b[start] != UInt8(ascii: "."), b[start] != UInt8(ascii: "-") else { throw SIPParseError(err, at: start) }
        return SIPHost(kind: .domain, text: SIPBytes.string(b, start..<i))
    }

    static func isIPv4(_ b: [UInt8], _ range: Range<Int>) -> Bool {
        var parts = 0
        var value = 0
        var digits = 0
        for j in range {
            if b[j] == UInt8(ascii: ".") {
                guard digits > 0 else { return false }
                parts += 1
                value = 0
                digits = 0
            } else {
                value = value * 10 + Int(b[j] &- 0x30)
                digits += 1
                guard digits <= 3, value <= 255 else { return false }
            }
        }
        return digits > 0 && parts == 3
    }

    /// 1*5DIGIT, at most 65535.
    static func port(_ b: [UInt8], _ i: inout Int, _ end: Int, _ err: SIPParseError.Kind) throws(SIPParseError) -> Int {
        let start = i
        var value = 0
        while i < end && SIPBytes.isDigit(b[i]) {
            value = value * 10 + Int(b[i] &- 0x30)
            guard value <= 65535 else { throw SIPParseError(err, at: start) }
            i += 1
        }
        guard i > start else { throw SIPParseError(err, at: start) }
        return value
    }

    @inline(__always) static func isUserUnreserved(_ c: UInt8) -> Bool {
        switch c {
        case 0x26, 0x3D, 0x2B, 0x24, 0x2C, 0x3B, 0x3F, 0x2F: return true  // & = + $ , ; ? /
        default: return false
        }
    }

    @inline(__always) static func isPasswordUnreserved(_ c: UInt8) -> Bool {
        switch c {
        case 0x26, 0x3D, 0x2B, 0x24, 0x2C: return true  // & = + $ ,
        default: return false
        }
    }

    @inline(__always) static func isParamUnreserved(_ c: UInt8) -> Bool {
        switch c {
        case 0x5B, 0x5D, 0x2F, 0x3A, 0x26, 0x2B, 0x24: return true  // [ ] / : & + $
        default: return false
        }
    }

    @inline(__always) static func isHeaderUnreserved(_ c: UInt8) -> Bool {
        switch c {
        case 0x5B, 0x5D, 0x2F, 0x3F, 0x3A, 0x2B, 0x24: return true  // [ ] / ? : + $
        default: return false
        }
    }
}
