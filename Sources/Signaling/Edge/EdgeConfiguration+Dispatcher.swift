/// How the legacy `farm:` list and the `dispatcher:` section combine.
extension EdgeConfiguration {
    /// The name of the implicit set the `farm:` list becomes.
    public static let legacyFarmSetName = "farm"

    /// The dispatcher configuration the edge runs: the `dispatcher:` sets, plus `farm:` as a
    /// round-robin set named "farm" (unless a set of that name is configured). Keeping `farm:` a
    /// set means its boxes get failover accounting, probing and the admin view like any other.
    /// Without a `dispatcher:` section only boxes that failed are probed: a plain `farm:` edge does
    /// not start sending OPTIONS to healthy backends it never probed before (a backend's scripted
    /// first exchange, e.g. a REGISTER challenge, stays the first thing it sees).
    public var effectiveDispatcher: DispatcherConfiguration {
        var result = dispatcher ?? DispatcherConfiguration(sets: [], probing: DispatcherProbingSettings(probesActiveDestinations: false))
        guard !farm.isEmpty, !result.sets.contains(where: { $0.name == Self.legacyFarmSetName }) else { return result }
        let destinations = farm.map { DispatcherDestinationConfiguration(uri: Self.uriText(of: $0)) }
        result.sets.append(DispatcherSetConfiguration(name: Self.legacyFarmSetName, algorithm: .roundRobin,
                                                      destinations: destinations))
        return result
    }

    /// `sip:host:port[;transport=x]` for a farm peer (IPv6 in brackets).
    static func uriText(of peer: SIPPeer) -> String {
        let host = peer.host.contains(":") ? "[\(peer.host)]" : peer.host
        let transport = peer.transport == .udp ? "" : ";transport=\(peer.transport)"
        return "sip:\(host):\(peer.port)\(transport)"
    }
}
