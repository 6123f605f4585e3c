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
    var tombstones: [String: SIPInstant] = [:]
    var counter: UInt64 = 0
    /// How long a finished Call-ID keeps ignoring events.
    public var tombstoneMilliseconds: Int64 = 64_000
    /// Documents list only the entity's most active dialog (newest wins a tie), for phones that
    /// cannot show several calls on one key (Kamailio's `force_single_dialog`).
    public var forceSingleDialog = false

    public init() {}

    /// Applies one event; returns the new documents of the AORs it touched (caller and callee).
    public mutating func apply(_ event: DialogCallEvent, now: SIPInstant) -> [DialogInfoUpdate] {
        let callID: String
        switch event {
        case .invite(let id, let fromTag, let caller, let callee, let sides):
            guard calls[id] == nil, tombstones[id] == nil, !sides.isEmpty else { return [] }
            counter += 1
            calls[id] = Call(callID: id, fromTag: fromTag, caller: caller, callee: callee, order: counter, sides: sides,
                             dialogs: ["": .trying])
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
        var aors: [AddressOfRecord] = []
        if call.sides.contains(.initiator) { aors.append(call.caller) }
        if call.sides.contains(.recipient), !aors.contains(call.callee) { aors.append(call.callee) }
        let updates = aors.map { DialogInfoUpdate(aor: $0, document: document(for: $0)) }
        if call.isFinished {
            calls[callID] = nil
            tombstones[callID] = now + tombstoneMilliseconds
        }
        return updates
    }

    /// Forgets old tombstones.
    public mutating func advance(to now: SIPInstant) {
        tombstones = tombstones.filter { $0.value > now }
    }

    /// The full-state document of one AOR right now.
    public func document(for aor: AddressOfRecord) -> DialogInfoDocument {
        var entries: [DialogInfoEntry] = []
        for call in calls.values.sorted(by: { $0.order < $1.order }) {
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
        for byte in "\(callID);\(fromTag);\(toTag)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return "d" + String(hash, radix: 16)
    }
}
