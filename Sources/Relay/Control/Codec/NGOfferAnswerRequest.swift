/// The parameters of an `offer` or `answer` (they share rtpengine's key set; `answer` also requires `toTag`).
public struct NGOfferAnswerRequest: Sendable, Equatable {
    public var callID: String
    public var fromTag: String
    /// Required for `answer`, optional for `offer` (re-INVITEs carry it).
    public var toTag: String?
    public var viaBranch: String?
    /// The SDP body, as bytes for `SDPSessionDescription(parsing:)`.
    public var sdp: [UInt8]
    public var label: String?
    public var receivedFrom: NGReceivedFrom?
    /// Logical interface names `[from, to]` (legacy `internal`/`external` select address families).
    public var direction: [String]
    public var ice: NGICEMode?
    public var rtcpMux: Set<NGRTCPMuxOption>
    public var transportProtocol: NGTransportProtocol?
    public var replace: Set<NGReplaceOption>
    public var flags: Set<NGFlag>
    /// Flags Tandem does not model, verbatim as received (e.g. `SDES-no-NULL_HMAC_SHA1_32`, `codec-strip-all`).
    public var unknownFlags: [String]
    public var addressFamily: NGAddressFamily?
    public var mediaAddress: String?

    public init(callID: String, fromTag: String, toTag: String? = nil, viaBranch: String? = nil, sdp: [UInt8],
                label: String? = nil, receivedFrom: NGReceivedFrom? = nil, direction: [String] = [],
                ice: NGICEMode? = nil, rtcpMux: Set<NGRTCPMuxOption> = [],
                transportProtocol: NGTransportProtocol? = nil, replace: Set<NGReplaceOption> = [],
                flags: Set<NGFlag> = [], unknownFlags: [String] = [], addressFamily: NGAddressFamily? = nil,
                mediaAddress: String? = nil) {
        self.callID = callID
        self.fromTag = fromTag
        self.toTag = toTag
        self.viaBranch = viaBranch
        self.sdp = sdp
        self.label = label
        self.receivedFrom = receivedFrom
        self.direction = direction
        self.ice = ice
        self.rtcpMux = rtcpMux
        self.transportProtocol = transportProtocol
        self.replace = replace
        self.flags = flags
        self.unknownFlags = unknownFlags
        self.addressFamily = addressFamily
        self.mediaAddress = mediaAddress
    }

    public func has(_ flag: NGFlag) -> Bool { flags.contains(flag) }

    /// rtpengine's checks, in its order: SDP, call-id, from-tag, then (answer only) to-tag.
    init(_ f: NGRequestFields, requireToTag: Bool) throws(NGCommandError) {
        guard let sdp = f.sdp else { throw .missingSDP }
        guard let callID = f.callID else { throw .missingCallID }
        guard let fromTag = f.fromTag else { throw .missingFromTag }
        if requireToTag, f.toTag == nil { throw .missingToTag }
        self.init(callID: callID, fromTag: fromTag, toTag: f.toTag, viaBranch: f.viaBranch, sdp: sdp, label: f.label,
                  receivedFrom: f.receivedFrom, direction: f.direction, ice: f.ice, rtcpMux: f.rtcpMux,
                  transportProtocol: f.transportProtocol, replace: f.replace, flags: f.flags,
                  unknownFlags: f.unknownFlags, addressFamily: f.addressFamily, mediaAddress: f.mediaAddress)
    }
}
