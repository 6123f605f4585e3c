/// An ITSP trunk (YAML `gateways:`). Two jobs:
/// - a request whose *source* is the gateway is an inbound DID call: it goes to the farm, hashed on
///   the DID (the Request-URI user) when `hash: did`, so every call to one number lands on one box;
/// - a request from the farm whose Request-URI names the gateway (FreeSWITCH's B-leg to the ITSP,
///   with the edge as its outbound proxy) goes to it; an `outbound` gateway also takes farm calls
///   addressed to the edge itself that match no registered phone.
///
/// Why the address, not a header: an ITSP is recognised the way it recognises us, by IP. A gateway
/// without a port matches any source port (trunks often send from several).
public struct EdgeGateway: Sendable, Hashable {
    public var name: String
    /// IP literal (IPv6 without brackets).
    public var host: String
    /// nil: any source port; the port sent to is then 5060.
    public var port: Int?
    public var transport: SIPPeerTransport
    /// The dispatcher set its inbound calls use; nil: the route set.
    public var set: String?
    /// How its inbound calls pick a box.
    public var hash: EdgeGatewayHash
    /// The default route for farm calls addressed to the edge that are not a registered phone.
    public var outbound: Bool

    public init(name: String, host: String, port: Int? = nil, transport: SIPPeerTransport = .udp, set: String? = nil,
                hash: EdgeGatewayHash = .setAlgorithm, outbound: Bool = false)
    {
        self.name = name
        self.host = host
        self.port = port
        self.transport = transport
        self.set = set
        self.hash = hash
        self.outbound = outbound
    }

    /// Where requests to the gateway are sent.
    public var peer: SIPPeer { SIPPeer(host: host, port: port ?? 5060, transport: transport) }

    /// Whether a packet source is this gateway.
    public func matches(_ source: SIPPeer) -> Bool {
        (port == nil || port == source.port) && IPAddressClassifier.sameAddress(host, source.host)
    }

    /// Whether a Request-URI names this gateway (host, and port when both say one).
    public func isNamed(by uri: SIPURI) -> Bool {
        guard let uriHost = uri.host, uriHost.kind != .domain, IPAddressClassifier.sameAddress(host, uriHost.address) else {
            return false
        }
        guard let port, let uriPort = uri.port else { return true }
        return port == uriPort
    }
}

/// How a gateway's inbound calls choose a box.
public enum EdgeGatewayHash: String, Sendable, Hashable, CaseIterable {
    /// Rendezvous hash on the DID (Request-URI user): one number, one box (IVRs, queues, conferences).
    case did
    /// Rendezvous hash on the Call-ID.
    case callID = "call-id"
    /// The set's own algorithm.
    case setAlgorithm = "none"

    /// The algorithm override for `Dispatcher.select`; nil keeps the set's.
    public var algorithm: DispatcherAlgorithm? {
        switch self {
        case .did: return .hashRequestUser
        case .callID: return .hashCallID
        case .setAlgorithm: return nil
        }
    }
}
