/// How a REGISTER ended (counted per result).
public enum RegistrationResult: String, Sendable, Hashable, CaseIterable {
    /// 200 OK after saving or refreshing at least one binding.
    case accepted
    /// 200 OK to a REGISTER without Contact.
    case queried
    /// 200 OK after removing bindings (expires=0 or `*`).
    case unregistered
    /// Same Call-ID and CSeq as stored: answered with the current bindings, nothing changed.
    case retransmission
    /// 423 Interval Too Brief.
    case intervalTooBrief
    /// 400 (or 405 for a non-REGISTER).
    case badRequest
    /// Same Call-ID with a lower CSeq: 500 (RFC 3261 §10.3 step 7 says the request "MUST" fail;
    /// 500 is what the RFC's registrar text implies and what Kamailio sends).
    case outOfOrder
    /// 403 Too many registered contacts.
    case tooManyContacts
    /// 403 for a domain the policy does not serve.
    case domainNotServed
    /// Pass-through: forwarded to the backend.
    case forwarded
    /// Pass-through: the backend answered 2xx and the bindings were saved.
    case backendAccepted
    /// Pass-through: the backend answered ≥ 300 (401/407 challenges included); nothing saved.
    case backendRejected
}

/// Registrar counters; `bindings` is the live size of the location table.
public struct RegistrarCounters: Sendable, Hashable {
    public var bindings = 0
    public var registrations: [RegistrationResult: Int] = [:]
    public var removals: [BindingRemovalReason: Int] = [:]
    /// Pass-through REGISTERs waiting for the backend.
    public var pending = 0
    public var pendingTimedOut = 0
    /// Pending entries dropped because the table was full.
    public var pendingEvicted = 0

    public init() {}

    public func count(_ result: RegistrationResult) -> Int { registrations[result] ?? 0 }
    public func count(_ reason: BindingRemovalReason) -> Int { removals[reason] ?? 0 }

    mutating func record(_ result: RegistrationResult) { registrations[result, default: 0] += 1 }
    mutating func record(_ changes: [LocationChange]) {
        for case .removed(_, let reason) in changes { removals[reason, default: 0] += 1 }
    }
}
