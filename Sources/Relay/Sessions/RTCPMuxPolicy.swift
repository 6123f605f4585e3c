/// The ng `rtcp-mux` list (RFC 5761 multiplexing) for one offer. The default (empty set) follows the clients:
/// mux is offered onward when the offerer offered it, and accepted back only when the answerer accepted it.
public struct RTCPMuxPolicy: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Always offer rtcp-mux to the recipient, even when the offerer did not (a separate RTCP port is still
    /// advertised as the fallback RFC 5761 requires).
    public static let offer = RTCPMuxPolicy(rawValue: 1 << 0)
    /// Like `offer`, but treat the recipient as having already accepted: no separate RTCP port at all (WebRTC).
    public static let require = RTCPMuxPolicy(rawValue: 1 << 1)
    /// Accept mux from the offerer but do not offer it onward: the relay bridges a muxed side to a non-muxed one.
    public static let demux = RTCPMuxPolicy(rawValue: 1 << 2)
    /// Accept mux from the offerer whatever the recipient answers, and offer it onward.
    public static let accept = RTCPMuxPolicy(rawValue: 1 << 3)
    /// Refuse the offerer's mux (with `offer`: the reverse of `demux`).
    public static let reject = RTCPMuxPolicy(rawValue: 1 << 4)

    /// Parses one ng list element (`offer`, `require`, `demux`, `accept`, `reject`); nil for anything else.
    public init?(ngName: some StringProtocol) {
        switch ngName {
        case "offer": self = .offer
        case "require": self = .require
        case "demux": self = .demux
        case "accept": self = .accept
        case "reject": self = .reject
        default: return nil
        }
    }
}
