/// How the data plane treats the source address of packets arriving from one side (rtpengine's endpoint learning).
/// The flags come from the ng message the side itself sent (an offer's flags describe the offerer).
public struct LearningFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The side does not do symmetric RTP: never learn, always send to the advertised endpoint (`asymmetric`).
    /// Without it (the default, `symmetric`), the first packet's source replaces the advertised endpoint.
    public static let asymmetric = LearningFlags(rawValue: 1 << 0)
    /// After learning, drop packets whose source differs from the learned endpoint (`strict source`).
    public static let strictSource = LearningFlags(rawValue: 1 << 1)
    /// After learning, re-learn when the source changes instead of ignoring it (`media handover`).
    public static let mediaHandover = LearningFlags(rawValue: 1 << 2)
    /// `unidirectional` (rtpengine: "kernelize also one-way rtp media"). In Tandem's userspace data plane one-way
    /// media is forwarded anyway: a leg sends to the other side's advertised endpoint until that side's source is
    /// learned, so nothing waits for the return direction. Kernel offload is where it would differ, and there
    /// Tandem does not implement it: a rule is offloaded only once both legs' latches are locked (the kernel key
    /// needs both learned sources), so one-way streams stay in userspace, flag or not. The flag is recorded and
    /// `query` lists it among the media flags.
    public static let unidirectional = LearningFlags(rawValue: 1 << 3)
}
