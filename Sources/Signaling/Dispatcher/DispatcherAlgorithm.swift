/// How a set orders its destinations for one request. Every algorithm yields a full ordered
/// candidate list: the first choice, then the failover order of the same algorithm.
public enum DispatcherAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// Next destination in turn (Kamailio alg 4).
    case roundRobin = "round-robin"
    /// Smooth weighted round robin (nginx's upstream algorithm): deterministic, spreads the picks of
    /// a heavy box instead of sending it bursts.
    case weighted
    /// Uniformly random first choice and random failover order, from the injected generator.
    case random
    /// Fewest calls in progress (tracked by `callStarted`/`callEnded`) relative to weight.
    case leastCalls = "least-calls"
    /// Most free capacity reported by FreeSWITCH over ESL (see `FreeSWITCHLoad`).
    case freeswitchLoad = "freeswitch-load"
    /// Weighted rendezvous hashing on the Call-ID: a dialog's requests stay on one box.
    case hashCallID = "hash-call-id"
    /// Weighted rendezvous hashing on the Request-URI user: a conference, queue, park slot or pickup
    /// group always lands on the same box.
    case hashRequestUser = "hash-ruri-user"
    /// Weighted rendezvous hashing on the domain: tenant partitioning without explicit partitions.
    case hashDomain = "hash-domain"

    /// Whether the algorithm is a hash (key-stable); those never skip a box for being busy.
    public var isHash: Bool {
        switch self {
        case .hashCallID, .hashRequestUser, .hashDomain: return true
        default: return false
        }
    }
}

/// The parts of a request selection may hash on. Missing or empty keys fall back to the Call-ID
/// (and an empty key when even that is missing), so a hash algorithm always answers.
public struct DispatcherRequestKeys: Sendable, Hashable {
    public var callID: String
    public var requestUser: String?
    public var domain: String?

    public init(callID: String, requestUser: String? = nil, domain: String? = nil) {
        self.callID = callID
        self.requestUser = requestUser
        self.domain = domain
    }

    /// The key an algorithm hashes (domain lowercased: domains are case-insensitive).
    func hashKey(for algorithm: DispatcherAlgorithm) -> String {
        switch algorithm {
        case .hashRequestUser:
            if let user = requestUser, !user.isEmpty { return user }
        case .hashDomain:
            if let domain, !domain.isEmpty { return domain.lowercased() }
        default: break
        }
        return callID
    }
}
