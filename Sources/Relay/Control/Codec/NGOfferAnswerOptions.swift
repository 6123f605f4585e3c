/// The `ICE` key: what to do with ICE attributes in the rewritten SDP.
public enum NGICEMode: String, Sendable, Equatable, CaseIterable {
    case remove, force, `default`, optional
    case forceRelay = "force-relay"
}

/// Values of the `rtcp-mux` list (RFC 5761 handling).
public enum NGRTCPMuxOption: String, Sendable, Hashable, CaseIterable {
    case offer, require, demux, accept, reject
}

/// Values of the `replace` list: which SDP parts to rewrite besides media addresses.
public enum NGReplaceOption: String, Sendable, Hashable, CaseIterable {
    case origin
    case originFull = "origin-full"
    /// Obsolete in current rtpengine (always done) but still sent by Kamailio and OpenSIPS.
    case sessionConnection = "session-connection"
    case sdpVersion = "sdp-version"
    case forceIncrementSDPVersion = "force-increment-sdp-ver"
    case sessionName = "session-name"
    case username
    case zeroAddress = "zero-address"
}

/// The `transport-protocol` key.
public enum NGTransportProtocol: Sendable, Equatable {
    case rtpAVP, rtpSAVP, rtpAVPF, rtpSAVPF, udpTLSRTPSAVP, udpTLSRTPSAVPF
    /// `accept`: take whatever the answer uses.
    case accept
    /// Any other protocol name, verbatim.
    case other(String)

    init(_ name: String) {
        switch name {
        case "RTP/AVP": self = .rtpAVP
        case "RTP/SAVP": self = .rtpSAVP
        case "RTP/AVPF": self = .rtpAVPF
        case "RTP/SAVPF": self = .rtpSAVPF
        case "UDP/TLS/RTP/SAVP": self = .udpTLSRTPSAVP
        case "UDP/TLS/RTP/SAVPF": self = .udpTLSRTPSAVPF
        case "accept": self = .accept
        default: self = .other(name)
        }
    }

    /// The SDP `m=` protocol token (nil for `accept`).
    public var sdpName: String? {
        switch self {
        case .rtpAVP: return "RTP/AVP"
        case .rtpSAVP: return "RTP/SAVP"
        case .rtpAVPF: return "RTP/AVPF"
        case .rtpSAVPF: return "RTP/SAVPF"
        case .udpTLSRTPSAVP: return "UDP/TLS/RTP/SAVP"
        case .udpTLSRTPSAVPF: return "UDP/TLS/RTP/SAVPF"
        case .accept: return nil
        case .other(let s): return s
        }
    }
}

/// `IP4` / `IP6` as used by `address family` and `received from`.
public enum NGAddressFamily: String, Sendable, Equatable {
    case ipv4 = "IP4"
    case ipv6 = "IP6"

    init?(caseInsensitive s: String) {
        switch NGKeySpelling.canonical(s) {
        case "ip4", "ipv4": self = .ipv4
        case "ip6", "ipv6": self = .ipv6
        default: return nil
        }
    }
}

/// `received from`: the SIP message's source, used when SDP addresses are not trusted.
public struct NGReceivedFrom: Sendable, Equatable {
    public var family: NGAddressFamily
    public var address: String

    public init(family: NGAddressFamily, address: String) {
        self.family = family
        self.address = address
    }
}
