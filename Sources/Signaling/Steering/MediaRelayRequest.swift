import Relay

/// The ng commands the edge sends.
public enum MediaRelayCommand: String, Sendable, Hashable, CaseIterable {
    case offer
    case answer
    case delete
    case ping
}

/// One ng request before it has a cookie: the command and the keys rtpengine's `rtpengine_offer`/`_answer`/
/// `_delete` send (Kamailio's module is the reference for which keys a SIP proxy passes).
public struct MediaRelayRequest: Sendable, Hashable {
    public var command: MediaRelayCommand
    public var callID: String?
    public var fromTag: String?
    public var toTag: String?
    public var sdp: [UInt8]?
    /// ng `flags`: `SIP-source-address`, `symmetric`, `trust-address`...
    public var flags: [String]
    /// ng `replace`: `origin`, `session-connection`.
    public var replace: [String]
    /// ng `received-from`: where the SIP message came from (`IP4`/`IP6`, address); with `SIP-source-address`
    /// the relay uses it instead of the SDP's c= line (without it, it would use the edge's own address).
    public var receivedFrom: (family: String, address: String)? {
        get { receivedFromFamily.map { ($0, receivedFromAddress ?? "") } }
        set {
            receivedFromFamily = newValue?.family
            receivedFromAddress = newValue?.address
        }
    }
    private var receivedFromFamily: String?
    private var receivedFromAddress: String?

    public init(command: MediaRelayCommand, callID: String? = nil, fromTag: String? = nil, toTag: String? = nil,
                sdp: [UInt8]? = nil, flags: [String] = [], replace: [String] = [])
    {
        self.command = command
        self.callID = callID
        self.fromTag = fromTag
        self.toTag = toTag
        self.sdp = sdp
        self.flags = flags
        self.replace = replace
    }

    public static let ping = MediaRelayRequest(command: .ping)

    /// The bencode dictionary (keys in the order rtpengine's own clients send them).
    public func dictionary() -> NGDictionary {
        var dictionary = NGDictionary()
        dictionary.append("command", .text(command.rawValue))
        if let callID { dictionary.append("call-id", .text(callID)) }
        if let fromTag { dictionary.append("from-tag", .text(fromTag)) }
        if let toTag { dictionary.append("to-tag", .text(toTag)) }
        if !flags.isEmpty { dictionary.append("flags", .list(flags.map { .text($0) })) }
        if !replace.isEmpty { dictionary.append("replace", .list(replace.map { .text($0) })) }
        if let family = receivedFromFamily, let address = receivedFromAddress {
            dictionary.append("received-from", .list([.text(family), .text(address)]))
        }
        if let sdp { dictionary.append("sdp", .string(sdp)) }
        return dictionary
    }

    /// `<cookie> <bencode dictionary>`.
    public func encoded(cookie: [UInt8]) -> [UInt8] {
        NGMessage.encode(cookie: cookie, encoding: .bencode, dictionary: dictionary())
    }
}
