/// Why a call or branch ended; counted in `SessionStatistics` and reported in `SessionEvent`s.
public enum CallEndReason: String, Hashable, Sendable, CaseIterable {
    /// An ng `delete` (after its delete delay).
    case deleted = "regular"
    /// Streams that should carry media were quiet for `timeout`.
    case timeout
    /// One side of an answered call sent nothing for `silent-timeout` while the other still sent, or no stream was
    /// expected to carry media (hold/inactive) and all were quiet that long.
    case silentTimeout = "silent-timeout"
    /// The call was offered but never answered, and was quiet for `offer-timeout`.
    case offerTimeout = "offer-timeout"
    /// The call reached `final-timeout` after creation.
    case finalTimeout = "final-timeout"
}

/// Something that happened inside the session layer that the driver should log or export.
public enum SessionEvent: Hashable, Sendable {
    /// The call is gone; its actions (remove rules, close ports) are in the same outcome.
    case callEnded(callID: String, reason: CallEndReason)
    /// One dialogue (a pair of monologues) of a call with several is gone; the call lives on.
    case branchEnded(callID: String, tags: [String], reason: CallEndReason)
}
