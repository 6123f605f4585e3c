/// Which form the dictionary of a message used; a reply must use the same one.
public enum NGEncoding: Sendable, Equatable {
    case bencode
    case json
}

/// One ng control message: `<cookie> <dictionary>`.
///
/// The cookie is a run of non-space bytes followed by exactly one space; it matches replies to requests and lets
/// the listener answer retransmissions from a cache. The payload is bencode if it starts with `d`, JSON if it starts
/// with `{` (the same test rtpengine applies).
public struct NGMessage: Sendable, Equatable {
    public var cookie: [UInt8]
    public var encoding: NGEncoding
    public var dictionary: NGDictionary

    public init(cookie: [UInt8], encoding: NGEncoding, dictionary: NGDictionary) {
        self.cookie = cookie
        self.encoding = encoding
        self.dictionary = dictionary
    }

    /// Splits off the cookie and decodes the payload. Error offsets are positions in `bytes`.
    public init(decoding bytes: [UInt8], limits: NGLimits = .default) throws(NGDecodeError) {
        guard !bytes.isEmpty else { throw NGDecodeError(.empty, at: 0) }
        guard bytes.count <= limits.maxMessageBytes else { throw NGDecodeError(.tooLarge, at: limits.maxMessageBytes) }
        let cookieEnd = try NGMessage.cookieEnd(bytes, limits: limits)
        let payloadStart = cookieEnd + 1
        guard payloadStart < bytes.count else { throw NGDecodeError(.missingPayload, at: payloadStart) }
        let value: NGValue
        switch bytes[payloadStart] {
        case UInt8(ascii: "d"):
            encoding = .bencode
            value = try BencodeDecoder.decode(bytes, range: payloadStart..<bytes.count, limits: limits)
        case UInt8(ascii: "{"):
            encoding = .json
            value = try JSONValueDecoder.decode(bytes, range: payloadStart..<bytes.count, limits: limits)
        default:
            throw NGDecodeError(.unknownFormat, at: payloadStart)
        }
        guard case .dict(let dict) = value else { throw NGDecodeError(.notADictionary, at: payloadStart) }
        cookie = Array(bytes[0..<cookieEnd])
        dictionary = dict
    }

    /// Just the cookie, for answering a message whose payload failed to decode.
    public static func cookie(of bytes: [UInt8], limits: NGLimits = .default) -> [UInt8]? {
        guard let end = try? cookieEnd(bytes, limits: limits) else { return nil }
        return Array(bytes[0..<end])
    }

    /// Guesses the encoding of a possibly undecodable message so an error reply uses the sender's form.
    public static func probableEncoding(of bytes: [UInt8]) -> NGEncoding {
        guard let end = try? cookieEnd(bytes, limits: .default), end + 1 < bytes.count else { return .bencode }
        return bytes[end + 1] == UInt8(ascii: "{") ? .json : .bencode
    }

    private static func cookieEnd(_ bytes: [UInt8], limits: NGLimits) throws(NGDecodeError) -> Int {
        var i = 0
        while i < bytes.count, bytes[i] != 0x20 {
            i += 1
            guard i <= limits.maxCookieBytes else { throw NGDecodeError(.cookieTooLong, at: limits.maxCookieBytes) }
        }
        guard i > 0, i < bytes.count else { throw NGDecodeError(.missingCookie, at: i) }
        return i
    }

    /// `<cookie> <encoded dictionary>`.
    public func encoded() -> [UInt8] {
        NGMessage.encode(cookie: cookie, encoding: encoding, dictionary: dictionary)
    }

    public static func encode(cookie: [UInt8], encoding: NGEncoding, dictionary: NGDictionary) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(cookie.count + 64)
        out.append(contentsOf: cookie)
        out.append(0x20)
        switch encoding {
        case .bencode: BencodeEncoder.encode(.dict(dictionary), into: &out)
        case .json: JSONValueEncoder.encode(.dict(dictionary), into: &out)
        }
        return out
    }
}
