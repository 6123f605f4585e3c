/// Which way a request travels, decided by its packet source alone (issue 7's direction rules,
/// the seed script's `ds_is_from_list` / trusted-gateway checks):
/// - a farm member → `.fromBackend`: towards a registered phone, or on to the ITSP;
/// - a configured ITSP gateway → `.inboundDID`: to the farm, hashed on the DID if so configured;
/// - anything else → `.fromClient`: a phone, to the farm.
///
/// Farm membership wins over a gateway entry for the same address: a box must never have its own
/// B-legs dispatched back to the farm.
enum EdgeRequestDirection: Equatable, Sendable {
    case fromBackend
    case inboundDID(EdgeGateway)
    case fromClient

    static func classify(_ source: SIPPeer, isFarm: (SIPPeer) -> Bool, gateways: [EdgeGateway]) -> EdgeRequestDirection {
        if isFarm(source) { return .fromBackend }
        if let gateway = gateways.first(where: { $0.matches(source) }) { return .inboundDID(gateway) }
        return .fromClient
    }
}
