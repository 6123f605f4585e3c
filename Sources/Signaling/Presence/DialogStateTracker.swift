/// Dialog state per AOR for BLF (RFC 4235), built from the call events the proxy sees.
///
/// Rules that make lamps right:
/// - State is tracked per dialog (Call-ID + From tag + To tag) and only moves forward
///   (trying < early < confirmed < terminated), so a late or reordered 180 cannot revive a
///   dialog that is already terminated, and a finished call's Call-ID is remembered for
///   `tombstoneMilliseconds` so stray events for it are ignored.
/// - A call that still has a live dialog shows only its live dialogs: the losing branches of a
///   forked call, CANCELled with 487 after another branch answered, never appear as
///   `terminated` next to the confirmed one. When every dialog of a call has ended, the next
///   document shows them `terminated` once, then the call is dropped.
public struct DialogStateTracker: Sendable {
    struct Call: Sendable {
        var callID: String
        var fromTag: String
        var caller: AddressOfRecord
        var callee: AddressOfRecord
        var order: UInt64
        var sides: DialogSides
        /// Per To tag ("" = the INVITE before any tagged response).
        var dialogs: [String: DialogState]

        var isFinished: Bool { dialogs.values.allSatisfy { $0 == .terminated } }
    }

    var calls: [String: Call] = [:]
    /// The calls each AOR takes part in (as the side its lamp shows), so that a document reads only that AOR's
    /// calls. Why: building it from every call sorted on each event made a busy edge quadratic — a backlog of
    /// open calls slowed each event, which grew the backlog (500 calls/s collapsed to 100/s).
    var callsByAOR: [AddressOfRecord: Set<String>] = [:]
    var tombstones: [String: SIPInstant] = [:]
    /// Tombstones in the order they were made. Their deadlines only grow (a fixed delay after a monotonic
    /// clock), so `advance` pops expired ones from the front instead of filtering the whole dictionary.
    var tombstoneQueue: [(deadline: SIPInstant, callID: String)] = []
    var tombstoneHead = 0
    var counter: UInt64 = 0
    /// How long a finished Call-ID keeps ignoring events.
    public var tombstoneMilliseconds: Int64 = 64_000
    /// Documents list only the entity's most active dialog (newest wins a tie), for phones that
    /// cannot show several calls on one key (Kamailio's `force_single_dialog`).
    public var forceSingleDialog = false

    public init() {}

    /// Calls being tracked (for metrics and tests).
    public var trackedCalls: Int { calls.count }

    /// Applies one event; returns the new documents of the AORs it touched (caller and callee) for which
    /// `wanted` is true. The edge asks only for AORs that have dialog watchers: the others' documents would be
    /// built and thrown away on every response of every call. A SUBSCRIBE reads `document(for:)` when it arrives.
    public mutating func apply(_ event: DialogCallEvent, now: SIPInstant,
                               wanted: (AddressOfRecord) -> Bool = { _ in true }) -> [DialogInfoUpdate] {
        let callID: String
        switch event {
        case .invite(let id, let fromTag, let caller, let callee, let sides):
            guard calls[id] == nil, tombstones[id] == nil, !sides.isEmpty else { return [] }
            counter += 1
            let call = Call(callID: id, fromTag: fromTag, caller: caller, callee: callee, order: counter, sides: sides,
                            dialogs: ["": .trying])
            calls[id] = call
            for aor in Self.lamps(of: call) { callsByAOR[aor, default: []].insert(id) }
            callID = id
        case .response(let id, let toTag, let status):
            guard var call = calls[id], status > 100 else { return [] }
            let target: DialogState = status < 200 ? .early : status < 300 ? .confirmed : .terminated
            if let toTag, !toTag.isEmpty {
                if call.dialogs[""] != nil { call.dialogs[""] = nil }
                call.dialogs[toTag] = max(call.dialogs[toTag] ?? .trying, target)
            } else if target == .terminated {
                for key in call.dialogs.keys where call.dialogs[key, default: .trying] < .confirmed { call.dialogs[key] = .terminated }
            } else {
                return []
            }
            calls[id] = call
            callID = id
        case .cancel(let id):
            guard var call = calls[id] else { return [] }
            for key in call.dialogs.keys where call.dialogs[key, default: .trying] < .confirmed { call.dialogs[key] = .terminated }
            calls[id] = call
            callID = id
        case .bye(let id):
            guard var call = calls[id] else { return [] }
            for key in call.dialogs.keys { call.dialogs[key] = .terminated }
            calls[id] = call
            callID = id
        }
        guard let call = calls[callID] else { return [] }
        let aors = Self.lamps(of: call)
        var updates: [DialogInfoUpdate] = []
        for aor in aors where wanted(aor) { updates.append(DialogInfoUpdate(aor: aor, document: document(for: aor))) }
        if call.isFinished {
            calls[callID] = nil
            for aor in aors {
                callsByAOR[aor]?.remove(callID)
                if callsByAOR[aor]?.isEmpty == true { callsByAOR[aor] = nil }
            }
            let deadline = now + tombstoneMilliseconds
            tombstones[callID] = deadline
            tombstoneQueue.append((deadline, callID))
        }
        return updates
    }

    /// Forgets old tombstones: O(expired), not O(tombstones).
    public mutating func advance(to now: SIPInstant) {
        while tombstoneHead < tombstoneQueue.count, tombstoneQueue[tombstoneHead].deadline <= now {
            let (deadline, callID) = tombstoneQueue[tombstoneHead]
            if tombstones[callID] == deadline { tombstones[callID] = nil }
            tombstoneHead += 1
        }
        if tombstoneHead == tombstoneQueue.count {
            tombstoneQueue.removeAll(keepingCapacity: true)
            tombstoneHead = 0
        } else if tombstoneHead > 4096, tombstoneHead * 2 > tombstoneQueue.count {
            tombstoneQueue.removeFirst(tombstoneHead)
            tombstoneHead = 0
        }
    }

    /// The AORs whose lamps a call drives: the caller for a leg from a phone, the callee for a leg from the farm.
    static func lamps(of call: Call) -> [AddressOfRecord] {
        var aors: [AddressOfRecord] = []
        if call.sides.contains(.initiator) { aors.append(call.caller) }
        if call.sides.contains(.recipient), !aors.contains(call.callee) { aors.append(call.callee) }
        return aors
    }

    /// The full-state document of one AOR right now.
    public func document(for aor: AddressOfRecord) -> DialogInfoDocument {
        var entries: [DialogInfoEntry] = []
        let mine = (callsByAOR[aor] ?? []).compactMap { calls[$0] }
        for call in mine.sorted(by: { $0.order < $1.order }) {
            let asCaller = call.caller == aor && call.sides.contains(.initiator)
            guard asCaller || (call.callee == aor && call.sides.contains(.recipient)) else { continue }
            let live = !call.isFinished
            for (toTag, state) in call.dialogs.sorted(by: { $0.key < $1.key }) where !live || state != .terminated {
                let initiator = asCaller
                let tag: String? = toTag.isEmpty ? nil : toTag
                entries.append(DialogInfoEntry(
                    id: Self.dialogID(call.callID, call.fromTag, toTag), callID: call.callID,
                    localTag: initiator ? call.fromTag : tag, remoteTag: initiator ? tag : call.fromTag,
                    direction: initiator ? .initiator : .recipient, state: state,
                    localIdentity: (initiator ? call.caller : call.callee).description,
                    remoteIdentity: (initiator ? call.callee : call.caller).description))
            }
        }
        if forceSingleDialog, entries.count > 1 {
            // `max` keeps the first of equals; reversed so the newest call wins a tie.
            let best = entries.reversed().max { $0.state.activity < $1.state.activity }
            entries = best.map { [$0] } ?? []
        }
        return DialogInfoDocument(entity: aor, dialogs: entries)
    }

    /// A short stable id (FNV-1a of the dialog's identity), safe in XML and not leaking tags twice.
    static func dialogID(_ callID: String, _ fromTag: String, _ toTag: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        // The bytes of "callID;fromTag;toTag", without building that string.
        for byte in callID.utf8 { mix(byte) }
        mix(0x3b)
        for byte in fromTag.utf8 { mix(byte) }
        mix(0x3b)
        for byte in toTag.utf8 { mix(byte) }
        return "d" + String(hash, radix: 16)
    }
}
