extension SessionTable {
    /// The data plane's latest cumulative counters for a stream (packets it received from that side). Replaces
    /// the stored values; `lastPacket` feeds the timeouts. Unknown streams (already deleted) are ignored.
    public mutating func updateCounters(
        stream: MediaStreamID, packets: UInt64, bytes: UInt64, errors: UInt64, lastPacket: SessionTime?
    ) {
        modifyStream(stream) { packet in
            packet.counters = MediaCounters(packets: packets, bytes: bytes, errors: errors)
            if let lastPacket, lastPacket > (packet.lastPacket ?? SessionTime(microseconds: .min)) {
                packet.lastPacket = lastPacket
            }
        }
    }

    /// One data plane report at once (counters, last packet, learned source, kernel state): one lookup per stream
    /// for the once-a-second refresh instead of three.
    public mutating func applyReport(
        stream: MediaStreamID, counters: MediaCounters, lastPacket: SessionTime?, learned: MediaEndpoint?,
        inKernel: Bool
    ) {
        modifyStream(stream) { packet in
            packet.counters = counters
            if let lastPacket, lastPacket > (packet.lastPacket ?? SessionTime(microseconds: .min)) {
                packet.lastPacket = lastPacket
            }
            if let learned { packet.learned = learned }
            packet.inKernel = inKernel
        }
    }

    /// Whether the kernel forwards the stream now (nftables offload), for `query`.
    public mutating func updateKernelState(stream: MediaStreamID, inKernel: Bool) {
        modifyStream(stream) { $0.inKernel = inKernel }
    }

    /// The source address the data plane learned (or re-learned, under media handover) for a stream.
    public mutating func updateLearnedEndpoint(stream: MediaStreamID, endpoint: MediaEndpoint) {
        modifyStream(stream) { $0.learned = endpoint }
    }

    /// The data plane could not bind `socket`. The port is blocked for good; if a call holds it, that side of the
    /// media section moves to fresh ports (same stream ids) and the returned actions close the old sockets, open
    /// the new ones and update the rules. The driver binds before replying to ng, so it then re-runs the same
    /// offer/answer: re-offers keep ports, so the rewrite comes out with the new ones.
    /// Throws `ranOutOfPorts` when no replacement is free (the call keeps the unbindable port).
    public mutating func portUnbindable(_ socket: LocalSocket) throws -> SessionOutcome {
        let slot = Int(socket.interface.rawValue)
        guard slot < allocators.count else { return SessionOutcome() }
        allocators[slot].markUnbindable(socket.port)
        guard let callID = socketOwners[socket], let old = calls[callID] else { return SessionOutcome() }
        var call = old
        var leased: [LocalSocket] = []
        do {
            for monologue in old.monologues.values {
                for media in monologue.medias where media.sockets.contains(socket) {
                    var moved = media
                    let separateRTCP = !(media.rtcp?.muxed ?? true)
                    let sockets = try allocateSockets(on: media.interface, single: !separateRTCP, leased: &leased)
                    moved.rtp?.local = sockets.rtp
                    moved.rtcp?.local = sockets.rtcp ?? sockets.rtp
                    call.monologues[monologue.id]?.store(moved)
                }
            }
        } catch {
            releaseSockets(leased)
            throw error
        }
        return SessionOutcome(actions: commit(callID: callID, old: old, new: call))
    }

    /// Applies `change` to one stream where it lives. Mutates through the dictionaries' in-place accessors, so the
    /// call, its monologue and its media array are not copied (copy-on-write of a copied monologue made the
    /// once-a-second refresh cost a few microseconds per stream, all on the control thread).
    private mutating func modifyStream(_ id: MediaStreamID, _ change: (inout PacketStream) -> Void) {
        guard let location = streamLocations[id] else { return }
        var before = MediaCounters()
        var after = MediaCounters()
        calls[location.callID]?.monologues[location.monologue]?.modifyStream(
            id, mediaIndex: location.mediaIndex, kind: location.kind) { stream in
                before = stream.counters
                change(&stream)
                after = stream.counters
            }
        streamTotals.subtract(before)
        streamTotals.add(after)
    }
}
