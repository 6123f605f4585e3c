/// The relay's own ICE credentials (`a=ice-ufrag` / `a=ice-pwd`) for `ICE=force`, one pair per call party.
///
/// Why derived instead of stored: a re-offer (hold, re-INVITE) must repeat the same credentials, or the peer
/// sees an ICE restart; deriving them from (call-id, tag) with a keyed hash gives that without a table that
/// would need cleaning when calls end or journaling for restarts. The key is random per process, so the values
/// cannot be guessed from the signalling (a restart of the relay changes them, which peers treat as an ICE
/// restart on the next re-offer).
///
/// Lengths follow RFC 8839 §5.4: a ufrag of at least 4 and a password of at least 22 `ice-char`s
/// (ALPHA / DIGIT / "+" / "/"); 8 and 24 characters here (48 and 144 random bits).
public struct ICECredentialSource: Sendable {
    public struct Credentials: Hashable, Sendable {
        public var ufrag: String
        public var password: String
    }

    private let key: (UInt64, UInt64)

    /// A source with a fresh random key.
    public init() {
        var generator = SystemRandomNumberGenerator()
        key = (generator.next(), generator.next())
    }

    /// A source with a fixed key (tests).
    public init(key: (UInt64, UInt64)) {
        self.key = key
    }

    /// The credentials of the party `tag` of call `callID`: the same inputs always give the same values.
    public func credentials(callID: String, tag: String) -> Credentials {
        let ufrag = ICECredentialSource.characters(from: [hash(callID, tag, salt: 0)], count: 8)
        let password = ICECredentialSource.characters(
            from: [hash(callID, tag, salt: 1), hash(callID, tag, salt: 2), hash(callID, tag, salt: 3)], count: 24)
        return Credentials(ufrag: ufrag, password: password)
    }

    private func hash(_ callID: String, _ tag: String, salt: UInt8) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(key.0)
        hasher.combine(key.1)
        hasher.combine(salt)
        hasher.combine(callID)
        hasher.combine(tag)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// `count` ice-chars, 6 bits each, from `words` (10 characters per word).
    private static func characters(from words: [UInt64], count: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        for word in words {
            var bits = word
            for _ in 0..<10 where bytes.count < count {
                bytes.append(alphabet[Int(bits & 63)])
                bits >>= 6
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A relay socket that starts answering ICE checks with `credentials` (nil: stops answering them), as recorded by
/// an offer or answer with `ICE: force`.
public struct ICECredentialChange: Hashable, Sendable {
    public var socket: LocalSocket
    public var credentials: ICECredentialSource.Credentials?

    public init(socket: LocalSocket, credentials: ICECredentialSource.Credentials?) {
        self.socket = socket
        self.credentials = credentials
    }
}
