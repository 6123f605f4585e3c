/// The ICE attributes of one section (session or media level), gathered for the relay's decisions.
public struct SDPICEAttributes: Sendable, Equatable {
    public var ufrag: [UInt8]?
    public var pwd: [UInt8]?
    public var options: [[UInt8]] = []
    public var candidates: [SDPCandidate] = []
    public var endOfCandidates = false
    public var lite = false

    /// True if the section carries any ICE attribute at all.
    public var isPresent: Bool {
        ufrag != nil || pwd != nil || !options.isEmpty || !candidates.isEmpty || endOfCandidates || lite
    }

    /// Attribute names removed by `removeICE()` (RFC 8839 plus the common extensions).
    static let attributeNames = [
        "candidate", "ice-ufrag", "ice-pwd", "ice-options", "end-of-candidates", "ice-lite", "ice-mismatch",
        "remote-candidates", "ice-pacing",
    ]
}
