/// The dispatcher as the edge uses it: one `Dispatcher` plus what the edge must remember to feed it
/// (which address belongs to which box, which box a pending INVITE is on).
///
/// Why here and not in the router: the proxy only tells the edge what it sends and relays, never
/// "branch k failed", so the edge reconstructs per-branch outcomes from what it sees — a response
/// *from* a box is that box's answer (UDP/TCP source = the box we sent to), a new INVITE branch to
/// the next box while the previous one never sent a final means the previous one timed out, and a
/// 408 going upstream with the current box silent is the last box's timeout. Still sans-I/O: values
/// in, decisions out, the clock passed in.
struct EdgeDispatch {
    /// A client INVITE handed to the farm, by Call-ID: the box its current branch is on.
    struct PendingInvite {
        var current: DispatcherDestinationID?
        var currentAnswered = false
    }

    var dispatcher: Dispatcher
    /// The set client requests are dispatched over.
    var setName: String
    /// Every configured box with the address it is sent to (and recognised by).
    private(set) var peers: [(id: DispatcherDestinationID, peer: SIPPeer)] = []
    var pending: [String: PendingInvite] = [:]

    init(configuration: EdgeConfiguration, now: SIPInstant) throws(DispatcherConfigurationError) {
        let effective = configuration.effectiveDispatcher
        dispatcher = try Dispatcher(configuration: effective, now: now, random: SystemRandomNumberGenerator())
        setName = configuration.dispatcherSet ?? effective.sets.first?.name ?? EdgeConfiguration.legacyFarmSetName
        peers = Self.peers(of: effective)
    }

    /// SIGHUP: keeps the state of boxes that remain, drains removed ones (see `Dispatcher.apply`).
    /// A draining box keeps its address here, so its in-dialog requests still count as "from the
    /// farm" until its last call ends.
    mutating func apply(_ configuration: EdgeConfiguration, now: SIPInstant) throws(DispatcherConfigurationError) {
        let effective = configuration.effectiveDispatcher
        try dispatcher.apply(effective, now: now)
        setName = configuration.dispatcherSet ?? effective.sets.first?.name ?? EdgeConfiguration.legacyFarmSetName
        let old = peers
        peers = Self.peers(of: effective)
        for entry in old where dispatcher.state(of: entry.id) != nil && !peers.contains(where: { $0.id == entry.id }) {
            peers.append(entry)
        }
    }

    /// Pending INVITEs are normally cleared by their final response; the cap bounds the table if
    /// finals are ever missed (a lost entry only costs one unreported timeout).
    static let maxPendingInvites = 65_536

    static func peers(of configuration: DispatcherConfiguration) -> [(id: DispatcherDestinationID, peer: SIPPeer)] {
        var seen = Set<DispatcherDestinationID>()
        var out: [(id: DispatcherDestinationID, peer: SIPPeer)] = []
        for set in configuration.sets {
            for destination in set.destinations {
                guard let id = try? DispatcherDestinationID(configured: destination.uri), seen.insert(id).inserted,
                      let uri = try? SIPURI(destination.uri), let peer = peer(of: uri)
                else { continue }
                out.append((id, peer))
            }
        }
        return out
    }

    /// Where a box URI is sent: its host (IP literal; names are not resolved yet), port 5060 by default.
    static func peer(of uri: SIPURI) -> SIPPeer? {
        guard let host = uri.host else { return nil }
        let transport = uri.transport.flatMap { SIPPeerTransport(token: $0) } ?? .udp
        return SIPPeer(host: host.address, port: uri.port ?? 5060, transport: transport)
    }

    /// The box at this address, if any: "is this from the farm?".
    func destination(at source: SIPPeer) -> DispatcherDestinationID? { Self.destination(in: peers, at: source) }

    /// `dispatcher.nextDeadline` read in place. `mutating` only for that: through the core's `dispatch`
    /// property the getter chain copied the whole `Dispatcher` (its tables) after every message.
    mutating func nextDispatcherDeadline() -> SIPInstant? { dispatcher.nextDeadline }

    /// `destination(at:)` over the peers alone: `EdgeCore.farmBox(at:)` reads `dispatch.peers` in
    /// place, where calling the method on the core's `dispatch` copied the whole struct per message.
    static func destination(in peers: [(id: DispatcherDestinationID, peer: SIPPeer)], at source: SIPPeer)
        -> DispatcherDestinationID?
    {
        peers.first { $0.peer.port == source.port && IPAddressClassifier.sameAddress($0.peer.host, source.host) }?.id
    }

    func peer(of id: DispatcherDestinationID) -> SIPPeer? { peers.first { $0.id == id }?.peer }

    // MARK: Routing

    /// Candidates for a request from a client or a gateway, in failover order (the proxy walks them
    /// with `.sequential`); none → `noDestinationStatus` "No Destination available". A gateway's
    /// own set and hash override the route set and its algorithm.
    mutating func route(_ request: SIPRoutingRequest, uri: SIPURI, gateway: EdgeGateway? = nil, now: SIPInstant)
        -> SIPRoutingDecision
    {
        let message = request.message
        let callID = (try? message.callID) ?? ""
        let domain = (try? message.to)?.uri.host?.address ?? uri.host?.address
        let keys = DispatcherRequestKeys(callID: callID, requestUser: uri.user, domain: domain)
        let selection = dispatcher.select(set: gateway?.set ?? setName, algorithm: gateway?.hash.algorithm, keys: keys, now: now)
        let targets = selection.candidates.compactMap { candidate -> SIPTarget? in
            guard let peer = peer(of: candidate.id) else { return nil }
            return SIPTarget(uri: uri, nextHop: peer)
        }
        guard !targets.isEmpty else {
            return .respond(status: selection.noDestinationStatus, reason: DispatcherSelection.noDestinationReason)
        }
        if request.method == .invite {
            if pending.count >= Self.maxPendingInvites { pending.removeAll(keepingCapacity: true) }
            pending[callID] = PendingInvite()
        }
        return .forward(targets, .sequential)
    }

    // MARK: Outcomes

    /// A response arrived from box `id`: failures count toward its health, a 2xx to an INVITE
    /// starts a tracked call on it.
    mutating func noteResponse(_ response: SIPMessage, from id: DispatcherDestinationID, now: SIPInstant)
        -> [DispatcherAction]
    {
        guard let status = response.statusCode, let cseq = try? response.cseq, cseq.method != .options else { return [] }
        let callID = (try? response.callID) ?? ""
        if cseq.method == .invite, pending[callID]?.current == id {
            pending[callID]?.currentAnswered = true
        }
        guard status >= 200 else { return [] }
        if cseq.method == .invite, (200..<300).contains(status) {
            dispatcher.callStarted(on: id, callID: callID)
            pending[callID] = nil
        }
        return dispatcher.reportResult(.response(status), for: id, now: now)
    }

    /// The proxy sends a request branch: a new INVITE branch to a box while the previous box never
    /// sent anything back means the previous one timed out.
    mutating func noteBranchSent(_ request: SIPMessage, to peer: SIPPeer, now: SIPInstant) -> [DispatcherAction] {
        guard request.method == .invite, let id = destination(at: peer), let callID = try? request.callID,
              var entry = pending[callID]
        else { return [] }
        var actions: [DispatcherAction] = []
        if let previous = entry.current, previous != id, !entry.currentAnswered {
            actions = dispatcher.reportResult(.timeout, for: previous, now: now)
        }
        if entry.current != id {
            entry.current = id
            entry.currentAnswered = false
        }
        pending[callID] = entry
        return actions
    }

    /// A final response to a dispatched INVITE goes upstream: the dispatch is over; a 408 while the
    /// current box never answered is that box's timeout.
    mutating func noteUpstreamFinal(_ response: SIPMessage, now: SIPInstant) -> [DispatcherAction] {
        guard let status = response.statusCode, status >= 200, (try? response.cseq)?.method == .invite,
              let callID = try? response.callID, let entry = pending.removeValue(forKey: callID)
        else { return [] }
        if status == 408, let current = entry.current, !entry.currentAnswered {
            return dispatcher.reportResult(.timeout, for: current, now: now)
        }
        return []
    }

    /// BYE in either direction ends the tracked call.
    mutating func noteBye(callID: String) {
        dispatcher.callEnded(callID: callID)
    }
}
