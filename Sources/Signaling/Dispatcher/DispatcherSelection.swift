/// The answer to one `select`: the ordered candidates (first choice, then failover order) and what
/// the caller answers if there are none or all fail.
public struct DispatcherSelection: Sendable, Hashable {
    public var candidates: [DispatcherDestination]
    /// 500 or 503, from the set's or the global configuration.
    public var noDestinationStatus: Int
    /// The tenant partition the request's domain chose, if any.
    public var partition: String?
    /// Whether every primary of the partition was down and the spares were used.
    public var usesSpares: Bool

    public static let noDestinationReason = "No Destination available"

    public init(candidates: [DispatcherDestination], noDestinationStatus: Int, partition: String? = nil,
                usesSpares: Bool = false)
    {
        self.candidates = candidates
        self.noDestinationStatus = noDestinationStatus
        self.partition = partition
        self.usesSpares = usesSpares
    }

    public var first: DispatcherDestination? { candidates.first }
    public var isEmpty: Bool { candidates.isEmpty }

    /// A failover walker starting at the first candidate.
    public func failover() -> DispatcherFailover { DispatcherFailover(selection: self) }
}
