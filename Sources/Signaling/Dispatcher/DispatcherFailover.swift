/// Walks a selection's candidates as attempts fail (Kamailio's `ds_next_dst` in a failure route):
/// timeouts, 408 and 5xx move on to the next candidate; other finals (486 Busy, 404, 6xx) are the
/// callee's answer and are relayed, not retried; when the list is used up the caller answers
/// `500 No Destination available` (or 503 if configured).
public struct DispatcherFailover: Sendable, Hashable {
    public let candidates: [DispatcherDestination]
    public let noDestinationStatus: Int
    /// Index of the candidate being tried; `candidates.count` once exhausted.
    public private(set) var position = 0

    public init(selection: DispatcherSelection) {
        candidates = selection.candidates
        noDestinationStatus = selection.noDestinationStatus
    }

    public var current: DispatcherDestination? { position < candidates.count ? candidates[position] : nil }

    /// Whether an outcome of an attempt justifies trying another box.
    public static func triggersFailover(_ outcome: DispatcherProbeOutcome) -> Bool {
        switch outcome {
        case .timeout: return true
        case .response(let code): return code == 408 || (500...599).contains(code)
        }
    }

    /// The next step after the current candidate failed with `outcome`. `skip` lets the caller pass
    /// over candidates that went down meanwhile (e.g. `{ !dispatcher.isSelectable($0) }`).
    public mutating func next(after outcome: DispatcherProbeOutcome,
                              skip: (DispatcherDestinationID) -> Bool = { _ in false }) -> DispatcherFailoverDecision
    {
        guard Self.triggersFailover(outcome) else { return .relayResponse }
        position = min(position + 1, candidates.count)
        while position < candidates.count, skip(candidates[position].id) { position += 1 }
        if let next = current { return .tryNext(next) }
        return .exhausted(status: noDestinationStatus, reason: DispatcherSelection.noDestinationReason)
    }
}

public enum DispatcherFailoverDecision: Sendable, Hashable {
    case tryNext(DispatcherDestination)
    /// Nothing left: answer with this status and reason.
    case exhausted(status: Int, reason: String)
    /// The failure is the callee's own answer (not a box problem): relay it.
    case relayResponse
}
