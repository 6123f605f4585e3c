/// `replace: SDP-version` (rtpengine's meaning): the relay takes charge of the `o=` session version in the SDP it
/// sends to a party. The version goes up by one exactly when the body sent changed since the last one sent to
/// that party, and stays when it is the same, whatever version the other side wrote. RFC 3264 §8 asks for this
/// (same version ⇔ same SDP), and a party's own numbering would otherwise leak through the relay unchanged.
///
/// Kept per receiving monologue: a hash of the last body (with its `o=` version blanked, computed by the SDP layer)
/// and the version digits it carried (decimal text, since SDP allows more than 64 bits).
public struct SentSDPVersion: Hashable, Sendable {
    public var bodyHash: UInt64
    public var version: [UInt8]

    public init(bodyHash: UInt64, version: [UInt8]) {
        self.bodyHash = bodyHash
        self.version = version
    }
}

extension SessionTable {
    /// What was last sent to `monologue` of `callID` under `replace: SDP-version` (nil: nothing yet).
    public func sentSDPVersion(callID: String, monologue: UInt32) -> SentSDPVersion? {
        calls[callID]?.monologues[monologue]?.sentSDPVersion
    }

    /// Records the body hash and version just sent to `monologue` (nothing when the call or party is gone).
    public mutating func recordSentSDPVersion(_ sent: SentSDPVersion, callID: String, monologue: UInt32) {
        calls[callID]?.monologues[monologue]?.sentSDPVersion = sent
    }
}
