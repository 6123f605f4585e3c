/// Which calls get their media through a relay.
public enum MediaSteeringPolicy: String, Sendable, Hashable, CaseIterable {
    /// Every call with SDP.
    case always
    /// Calls with a NATed party: the caller was detected behind NAT (nat_uac_test), or a call from the farm
    /// goes to a phone whose binding is NATed.
    case nat
    /// None (signaling only).
    case never
}

/// Who sent an SDP-carrying message, as the edge's NAT detection and direction logic saw it. It picks the
/// ng flags for that side: `SIP-source-address` + `symmetric` (+ `received-from`) for a NATed phone, whose
/// SDP names a private address; `trust-address` for the farm and for phones that are not NATed.
public struct MediaSteeringParty: Sendable, Hashable {
    /// The source is a farm box (its SDP addresses are right).
    public var isFarm: Bool
    /// nat_uac_test fired for this message (a phone behind NAT).
    public var isNATed: Bool
    /// The packet's source address (for `received-from`).
    public var sourceAddress: String
    /// For an initial INVITE from the farm: the called phone's binding is NATed (the `nat` policy relays it).
    public var calleeIsNATed: Bool

    public init(isFarm: Bool, isNATed: Bool, sourceAddress: String, calleeIsNATed: Bool = false) {
        self.isFarm = isFarm
        self.isNATed = isNATed
        self.sourceAddress = sourceAddress
        self.calleeIsNATed = calleeIsNATed
    }

    var flags: [String] { !isFarm && isNATed ? ["SIP-source-address", "symmetric"] : ["trust-address"] }

    var receivedFrom: (family: String, address: String)? {
        guard !isFarm, isNATed else { return nil }
        return (sourceAddress.contains(":") ? "IP6" : "IP4", sourceAddress)
    }
}
