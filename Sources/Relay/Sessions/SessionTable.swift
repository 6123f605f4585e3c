/// The session layer of `tandem relay`: every call the relay knows, as a pure state machine.
///
/// Inputs are ng-level operations (offer, answer, delete, query, list, statistics), reports from the data plane
/// (counters, learned endpoints, unbindable ports) and clock ticks; outputs are SDP rewrites, `DataPlaneAction`s
/// and `SessionEvent`s. Nothing here touches a socket or reads a clock, so one owner (the Control driver) feeds it
/// and carries out what it returns.
///
/// Every mutation works on a copy of the affected call and is committed by diffing the call before and after:
/// sockets that appeared are opened, rules that appeared/changed/disappeared are added/updated/removed, sockets
/// that disappeared are closed and their ports released. A failing operation (ran out of ports) releases what it
/// allocated and leaves the table as it was.
public struct SessionTable: Sendable {
    public let configuration: SessionConfiguration
    var allocators: [PortAllocator]
    var interfaceIDs: [String: InterfaceID] = [:]
    var calls: [String: Call] = [:]
    /// Where each live stream lives, for data plane reports.
    var streamLocations: [MediaStreamID: StreamLocation] = [:]
    /// Which call owns each open socket, for bind failure reports.
    var socketOwners: [LocalSocket: String] = [:]
    var nextStreamID: UInt32 = 1
    /// When each call next needs the clock (see `CallDeadlineQueue`); kept in step by every write to `calls`.
    var deadlines = CallDeadlineQueue()
    /// Sum of every live stream's counters, kept in step by `commit` and the data plane reports, so `statistics()`
    /// (published after every ng batch and every tick) need not walk all calls.
    var streamTotals = MediaCounters()
    var totals = SessionTotals()

    /// `startOffsets` fixes each interface allocator's rotation start (tests); random when nil.
    public init(configuration: SessionConfiguration, startOffsets: [Int]? = nil) {
        self.configuration = configuration
        var allocators: [PortAllocator] = []
        for (position, interface) in configuration.interfaces.enumerated() {
            let offset = startOffsets.flatMap { position < $0.count ? $0[position] : nil }
            allocators.append(PortAllocator(portMin: interface.portMin, portMax: interface.portMax, startOffset: offset))
            if interfaceIDs[interface.name] == nil {
                interfaceIDs[interface.name] = InterfaceID(UInt16(truncatingIfNeeded: position))
            }
        }
        self.allocators = allocators
    }

    /// Number of calls currently held (including those waiting for their delete delay).
    public var callCount: Int { calls.count }

    /// The allocator of an interface, for inspection.
    public func allocator(forInterface name: String) -> PortAllocator? {
        interfaceIDs[name].map { allocators[Int($0.rawValue)] }
    }

    // MARK: - Interfaces and ports

    func resolveInterface(_ name: String?) throws -> InterfaceID {
        guard let name, !name.isEmpty else {
            guard !configuration.interfaces.isEmpty else { throw SessionError.unknownInterface("default") }
            return InterfaceID(0)
        }
        guard let id = interfaceIDs[name] else { throw SessionError.unknownInterface(name) }
        return id
    }

    func interface(_ id: InterfaceID) -> RelayInterface {
        configuration.interfaces[Int(id.rawValue)]
    }

    /// Allocates an RTP socket and, unless `single`, the RTCP socket after it. Records every port in `leased` so
    /// a failing operation can give them back.
    mutating func allocateSockets(
        on id: InterfaceID, single: Bool, leased: inout [LocalSocket]
    ) throws -> (rtp: LocalSocket, rtcp: LocalSocket?) {
        let relayInterface = interface(id)
        let slot = Int(id.rawValue)
        if single {
            guard let port = allocators[slot].allocateSingle() else {
                throw SessionError.ranOutOfPorts(interface: relayInterface.name)
            }
            let rtp = LocalSocket(interface: id, address: relayInterface.address, port: port)
            leased.append(rtp)
            return (rtp, nil)
        }
        guard let pair = allocators[slot].allocatePair() else {
            throw SessionError.ranOutOfPorts(interface: relayInterface.name)
        }
        let rtp = LocalSocket(interface: id, address: relayInterface.address, port: pair.rtp)
        let rtcp = LocalSocket(interface: id, address: relayInterface.address, port: pair.rtcp)
        leased.append(rtp)
        leased.append(rtcp)
        return (rtp, rtcp)
    }

    mutating func releaseSockets(_ sockets: [LocalSocket]) {
        for socket in sockets {
            allocators[Int(socket.interface.rawValue)].release(socket.port)
        }
    }

    mutating func makeStreams(rtp: LocalSocket, rtcp: LocalSocket?) -> (PacketStream, PacketStream) {
        let rtpStream = PacketStream(id: MediaStreamID(nextStreamID), kind: .rtp, local: rtp, muxed: false)
        let rtcpStream = PacketStream(id: MediaStreamID(nextStreamID &+ 1), kind: .rtcp, local: rtcp ?? rtp, muxed: rtcp == nil)
        nextStreamID &+= 2
        return (rtpStream, rtcpStream)
    }

    // MARK: - Commit by diff

    /// Stores `new` in place of `old` (either may be nil) and returns the data plane actions that turn the old
    /// state into the new one. Ports of sockets that disappeared are released here.
    ///
    /// Every offer, answer and delete passes here, so it works on small arrays (a call has a handful of sockets and
    /// rules) instead of sets and dictionaries built per commit (issue 3: hashing and allocation were most of its
    /// cost). Actions come out as before: opened sockets, then rule additions/updates by id, removals by id,
    /// closed sockets, sockets in (interface, port) order.
    mutating func commit(callID: String, old: Call?, new: Call?) -> [DataPlaneAction] {
        var oldSockets: [LocalSocket] = []
        var newSockets: [LocalSocket] = []
        if let old { SessionTable.collectSockets(of: old, into: &oldSockets) }
        if let new { SessionTable.collectSockets(of: new, into: &newSockets) }
        let oldRules = old.map(SessionTable.sortedRules(of:)) ?? []
        let newRules = new.map(SessionTable.sortedRules(of:)) ?? []

        let opened = SessionTable.sockets(newSockets, notIn: oldSockets).sorted(by: SessionTable.socketOrder)
        let closed = SessionTable.sockets(oldSockets, notIn: newSockets).sorted(by: SessionTable.socketOrder)
        var actions: [DataPlaneAction] = []
        actions.reserveCapacity(opened.count + closed.count + max(oldRules.count, newRules.count))
        for socket in opened { actions.append(.openPort(socket)) }
        // Both rule lists are sorted by id: one merge walk finds additions, updates and removals.
        var position = 0
        for rule in newRules {
            while position < oldRules.count, oldRules[position].id < rule.id { position += 1 }
            if position < oldRules.count, oldRules[position].id == rule.id {
                if oldRules[position] != rule { actions.append(.updateForwarding(rule)) }
            } else {
                actions.append(.addForwarding(rule))
            }
        }
        position = 0
        for rule in oldRules {
            while position < newRules.count, newRules[position].id < rule.id { position += 1 }
            if position == newRules.count || newRules[position].id != rule.id {
                actions.append(.removeForwarding(rule.id))
            }
        }
        for socket in closed { actions.append(.closePort(socket)) }

        releaseSockets(closed)
        for socket in closed { socketOwners[socket] = nil }
        for socket in opened { socketOwners[socket] = callID }
        // Streams an offer or answer keeps are written once (not removed and added again).
        var newStreams: [MediaStreamID] = []
        var newSum = MediaCounters()
        if let new {
            for monologue in new.monologues.values {
                for media in monologue.medias {
                    media.forEachStream { stream in
                        newStreams.append(stream.id)
                        newSum.add(stream.counters)
                        streamLocations[stream.id] = StreamLocation(
                            callID: new.callID, monologue: monologue.id, mediaIndex: media.index, kind: stream.kind)
                    }
                }
            }
        }
        if let old {
            var oldSum = MediaCounters()
            for monologue in old.monologues.values {
                for media in monologue.medias {
                    media.forEachStream { stream in
                        oldSum.add(stream.counters)
                        if !newStreams.contains(stream.id) { streamLocations[stream.id] = nil }
                    }
                }
            }
            streamTotals.subtract(oldSum)
        }
        if let new {
            streamTotals.add(newSum)
            calls[callID] = new
            deadlines.schedule(callID, at: nextDeadline(of: new))
        } else {
            calls[callID] = nil
            deadlines.cancel(callID)
        }
        return actions
    }

    /// Appends the call's sockets (each once) to `sockets`.
    static func collectSockets(of call: Call, into sockets: inout [LocalSocket]) {
        for monologue in call.monologues.values {
            for media in monologue.medias {
                if let rtp = media.rtp, !sockets.contains(rtp.local) { sockets.append(rtp.local) }
                if let rtcp = media.rtcp, !rtcp.muxed, !sockets.contains(rtcp.local) { sockets.append(rtcp.local) }
            }
        }
    }

    /// `sockets` without those in `others` (a scan for the usual handful, a set for big calls).
    static func sockets(_ sockets: [LocalSocket], notIn others: [LocalSocket]) -> [LocalSocket] {
        if others.count <= 32 { return sockets.filter { !others.contains($0) } }
        let excluded = Set(others)
        return sockets.filter { !excluded.contains($0) }
    }

    /// The sum of a call's stream counters (wrapping, like the totals it feeds).
    static func counterSum(of call: Call) -> MediaCounters {
        var sum = MediaCounters()
        for monologue in call.monologues.values {
            for media in monologue.medias {
                for stream in media.streams { sum.add(stream.counters) }
            }
        }
        return sum
    }

    static func socketOrder(_ lhs: LocalSocket, _ rhs: LocalSocket) -> Bool {
        (lhs.interface, lhs.port) < (rhs.interface, rhs.port)
    }

    static func sockets(of call: Call) -> [LocalSocket] {
        call.monologues.values.flatMap { $0.medias.flatMap(\.sockets) }
    }

    /// Calls `body` with the id of every stream of a call (none for an unknown call-id), without building a
    /// `CallSnapshot`: `delete` and `query` refresh the call's counters through this before they snapshot it.
    public func forEachStream(ofCall callID: String, _ body: (MediaStreamID) -> Void) {
        guard let call = calls[callID] else { return }
        for monologue in call.monologues.values {
            for media in monologue.medias {
                for stream in media.streams { body(stream.id) }
            }
        }
    }

    /// The forwarding rules a call implies: for every media index present and active on both monologues of a
    /// dialogue, one RTP and one RTCP rule. The lower monologue id is leg `a`, so ids stay stable.
    static func rules(of call: Call) -> [ForwardingID: ForwardingRule] {
        var result: [ForwardingID: ForwardingRule] = [:]
        for rule in sortedRules(of: call) { result[rule.id] = rule }
        return result
    }

    /// `rules(of:)` as an array sorted by id (each id once: it is the leg `a` stream's id).
    static func sortedRules(of call: Call) -> [ForwardingRule] {
        var result: [ForwardingRule] = []
        for first in call.monologues.values {
            guard let peerID = first.peer, peerID > first.id, let second = call.monologues[peerID] else { continue }
            for media in first.medias {
                guard let other = second.media(media.index),
                      let aRTP = media.rtp, let aRTCP = media.rtcp,
                      let bRTP = other.rtp, let bRTCP = other.rtcp else { continue }
                let rtpRule = ForwardingRule(
                    id: ForwardingID(aRTP.id.rawValue), kind: .rtp,
                    a: leg(aRTP, media, destination: media.advertised),
                    b: leg(bRTP, other, destination: other.advertised))
                let rtcpRule = ForwardingRule(
                    id: ForwardingID(aRTCP.id.rawValue), kind: .rtcp,
                    a: leg(aRTCP, media, destination: media.advertisedRTCP),
                    b: leg(bRTCP, other, destination: other.advertisedRTCP))
                result.append(rtpRule)
                result.append(rtcpRule)
            }
        }
        result.sort { $0.id < $1.id }
        return result
    }

    private static func leg(_ stream: PacketStream, _ media: MediaSection, destination: MediaEndpoint?) -> ForwardingLeg {
        ForwardingLeg(
            stream: stream.id, local: stream.local, muxed: stream.muxed,
            destination: destination.flatMap { $0.isSendable ? $0 : nil },
            learning: media.learning)
    }

    /// Every (interface, port) the table holds, for consistency checks.
    func heldSockets() -> [LocalSocket] {
        calls.values.flatMap(SessionTable.sockets(of:))
    }
}

/// Where a stream lives inside the table.
struct StreamLocation: Hashable, Sendable {
    var callID: String
    var monologue: UInt32
    var mediaIndex: Int
    var kind: StreamKind
}

/// Relay-wide counters that outlive calls.
struct SessionTotals: Hashable, Sendable {
    var managedCalls = 0
    var ranOutOfPorts = 0
    var ended: [CallEndReason: Int] = [:]
}
