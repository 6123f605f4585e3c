/// The boolean flags of rtpengine's `flags` list (and bare words in `rtpp-flags`) that Tandem models.
///
/// Raw values are the canonical spelling (see `NGKeySpelling`); `aliases` adds rtpengine's alternative names.
/// Flags not listed here are kept as strings in `unknownFlags`, so nothing a proxy sends is silently lost.
public enum NGFlag: String, Sendable, Hashable, CaseIterable {
    case all
    case allowAsymmetricCodecs = "allow-asymmetric-codecs"
    case allowNoCodecMedia = "allow-no-codec-media"
    case allowTranscoding = "allow-transcoding"
    case alwaysTranscode = "always-transcode"
    case asymmetric
    case asymmetricCodecs = "asymmetric-codecs"
    case bidirectional
    case blockDTMF = "block-dtmf"
    case blockEgress = "block-egress"
    case blockShort = "block-short"
    case debug
    case detectDTMF = "detect-dtmf"
    case directional
    case discardRecording = "discard-recording"
    case earlyMedia = "early-media"
    case egress
    case excludeRecording = "exclude-recording"
    case fatal
    case fast
    case forceTranscoding = "force-transcoding"
    case fragment
    case fullRTCPAttribute = "full-rtcp-attribute"
    case generateMid = "generate-mid"
    case generateRTCP = "generate-rtcp"
    case inactive
    case injectDTMF = "inject-dtmf"
    case loopProtect = "loop-protect"
    case mediaHandover = "media-handover"
    case mix
    case natWait = "nat-wait"
    case newBranch = "new-branch"
    case noJitterBuffer = "no-jitter-buffer"
    case noPassthrough = "no-passthrough"
    case noPlayer = "no-player"
    case noPortLatching = "no-port-latching"
    case noRedisUpdate = "no-redis-update"
    case noRTCPAttribute = "no-rtcp-attribute"
    case noTLSID = "no-tls-id"
    case originalSendrecv = "original-sendrecv"
    case padCrypto = "pad-crypto"
    case passthrough
    case pierceNAT = "pierce-nat"
    case portLatching = "port-latching"
    case provisional
    case recordCall = "record-call"
    case recordingAnnouncement = "recording-announcement"
    case recordingVSC = "recording-vsc"
    case recrypt
    case rejectICE = "reject-ice"
    case reorderCodecs = "reorder-codecs"
    case reset
    case reuseCodecs = "reuse-codecs"
    case rtcpMirror = "rtcp-mirror"
    case singleCodec = "single-codec"
    case sipSourceAddress = "sip-source-address"
    case siprec
    case skipRecordingDB = "skip-recording-db"
    case staticCodecs = "static-codecs"
    case strictSource = "strict-source"
    case stripExtmap = "strip-extmap"
    case symmetric
    case symmetricCodecs = "symmetric-codecs"
    case toTag = "to-tag"
    case trickleICE = "trickle-ice"
    case trustAddress = "trust-address"
    case unidirectional
    case unsubscribe
    case webRTC = "webrtc"

    /// Alternative canonical spellings rtpengine treats as the same flag.
    static let aliases: [String: NGFlag] = [
        "allow-asymmetric-codec": .allowAsymmetricCodecs,
        "allow-no-codec-medias": .allowNoCodecMedia,
        "allow-empty-codec-media": .allowNoCodecMedia,
        "allow-empty-codec-medias": .allowNoCodecMedia,
        "block-shorts": .blockShort,
        "block-short-packets": .blockShort,
        "debugging": .debug,
        "mixed": .mix,
        "no-audio-player": .noPlayer,
        "ice-reject": .rejectICE,
        "mirror-rtcp": .rtcpMirror,
        "no-codec-renegotiation": .reuseCodecs,
        "skip-recording-database": .skipRecordingDB,
        "static-codec": .staticCodecs,
    ]

    /// Looks up a canonical (folded) spelling.
    static func named(_ canonical: String) -> NGFlag? {
        NGFlag(rawValue: canonical) ?? aliases[canonical]
    }
}
