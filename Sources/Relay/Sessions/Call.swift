/// One call (by Call-ID): its monologues, paired into dialogues, and its timestamps.
struct Call: Hashable, Sendable {
    let callID: String
    let created: SessionTime
    var lastSignal: SessionTime
    var monologues: [UInt32: Monologue] = [:]
    var nextMonologueID: UInt32 = 0
    /// Set while a whole-call delete waits for its delay.
    var deleteAt: SessionTime?

    init(callID: String, created: SessionTime) {
        self.callID = callID
        self.created = created
        self.lastSignal = created
    }

    func monologueID(forTag tag: String) -> UInt32? {
        // Few monologues per call: a scan is cheaper than keeping a second map in sync.
        monologues.values.first { $0.answers(to: tag) }?.id
    }

    func monologueID(forViaBranch branch: String) -> UInt32? {
        monologues.values.first { $0.viaBranch == branch }?.id
    }

    mutating func addMonologue(tag: String?, interface: InterfaceID, at now: SessionTime) -> UInt32 {
        let id = nextMonologueID
        nextMonologueID &+= 1
        monologues[id] = Monologue(id: id, tag: tag, created: now, interface: interface)
        return id
    }

    /// Monologues in creation order (stable output for query and actions).
    var orderedMonologues: [Monologue] {
        monologues.values.sorted { $0.id < $1.id }
    }

    /// A new offer or answer revives a call or branch whose deletion was pending (rtpengine cancels the delete
    /// when signalling arrives after it).
    mutating func cancelPendingDeletion() {
        deleteAt = nil
        for id in monologues.keys { monologues[id]?.deleteAt = nil }
    }
}
