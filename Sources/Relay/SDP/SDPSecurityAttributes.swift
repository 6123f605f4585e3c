/// `a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]` (RFC 4568 SDES).
public struct SDPCrypto: Sendable, Equatable {
    public var tag: Int
    public var suite: [UInt8]
    public var keyParameters: [UInt8]
    public var sessionParameters: [UInt8]

    static func parse(_ value: ArraySlice<UInt8>) -> SDPCrypto? {
        let t = SDPBytes.tokens(value, max: 4)
        guard t.count >= 3, let tag = SDPBytes.parseUInt(t[0], max: 999_999_999) else { return nil }
        return SDPCrypto(tag: Int(tag), suite: Array(t[1]), keyParameters: Array(t[2]),
                         sessionParameters: t.count > 3 ? Array(t[3]) : [])
    }
}

/// `a=fingerprint:<hash-func> <fingerprint>` (RFC 8122, DTLS-SRTP).
public struct SDPFingerprint: Sendable, Equatable {
    public var hashFunction: [UInt8]
    public var fingerprint: [UInt8]

    static func parse(_ value: ArraySlice<UInt8>) -> SDPFingerprint? {
        let t = SDPBytes.tokens(value, max: 2)
        guard t.count == 2 else { return nil }
        return SDPFingerprint(hashFunction: Array(t[0]), fingerprint: Array(t[1]))
    }
}

/// `a=setup:` role (RFC 4145) that decides the DTLS client/server side.
public enum SDPSetupRole: Sendable, Equatable {
    case active, passive, actpass, holdconn
    case other([UInt8])

    init(_ value: ArraySlice<UInt8>) {
        if SDPBytes.equalsIgnoringCase(value, "active") {
            self = .active
        } else if SDPBytes.equalsIgnoringCase(value, "passive") {
            self = .passive
        } else if SDPBytes.equalsIgnoringCase(value, "actpass") {
            self = .actpass
        } else if SDPBytes.equalsIgnoringCase(value, "holdconn") {
            self = .holdconn
        } else {
            self = .other(Array(value))
        }
    }
}
