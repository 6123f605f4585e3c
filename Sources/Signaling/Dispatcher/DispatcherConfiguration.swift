/// The whole dispatcher configuration: named sets of destinations plus the settings that apply to all
/// of them. A plain value: the daemon builds it from YAML, calls `validate()` and hands it to
/// `Dispatcher.init` or `Dispatcher.apply(_:)` (live reload).
public struct DispatcherConfiguration: Sendable, Hashable {
    public var sets: [DispatcherSetConfiguration]
    public var probing: DispatcherProbingSettings
    /// How often the FreeSWITCH boxes send HEARTBEAT events (their `event-heartbeat-interval`, 20 s by
    /// default); load data older than `staleHeartbeatIntervals` of these is not trusted.
    public var heartbeatIntervalMilliseconds: Int64
    public var staleHeartbeatIntervals: Int
    /// Capacity assumed for a box whose capacity is known neither from configuration (`maxSessions`)
    /// nor from a heartbeat (`Max-Sessions`); FreeSWITCH's own default `max-sessions` is 1000.
    public var defaultMaxSessions: Int
    /// The status the caller answers with when no destination is available: 500 (Kamailio's
    /// customary "500 No Destination available") or 503 (lets upstream fail over elsewhere).
    public var noDestinationStatus: Int

    public init(sets: [DispatcherSetConfiguration], probing: DispatcherProbingSettings = .init(),
                heartbeatIntervalMilliseconds: Int64 = 20_000, staleHeartbeatIntervals: Int = 3,
                defaultMaxSessions: Int = 1000, noDestinationStatus: Int = 500)
    {
        self.sets = sets
        self.probing = probing
        self.heartbeatIntervalMilliseconds = heartbeatIntervalMilliseconds
        self.staleHeartbeatIntervals = staleHeartbeatIntervals
        self.defaultMaxSessions = defaultMaxSessions
        self.noDestinationStatus = noDestinationStatus
    }

    /// Checks every set and the global settings; the first problem found is thrown.
    public func validate() throws(DispatcherConfigurationError) {
        guard noDestinationStatus == 500 || noDestinationStatus == 503 else {
            throw .badNoDestinationStatus(noDestinationStatus)
        }
        guard heartbeatIntervalMilliseconds > 0, staleHeartbeatIntervals > 0 else {
            throw .badHeartbeatSettings
        }
        guard defaultMaxSessions > 0 else { throw .badDefaultMaxSessions(defaultMaxSessions) }
        try probing.validate()
        var names = Set<String>()
        for set in sets {
            guard names.insert(set.name).inserted else { throw .duplicateSet(set.name) }
            try set.validate()
        }
    }
}

/// One named set of destinations (Kamailio's dispatcher set, OpenSIPS's load_balancer group).
public struct DispatcherSetConfiguration: Sendable, Hashable {
    public var name: String
    /// The algorithm used when a route does not name one.
    public var algorithm: DispatcherAlgorithm
    public var destinations: [DispatcherDestinationConfiguration]
    /// Tenant partitions: subsets of `destinations` chosen by the request's domain.
    public var partitions: [DispatcherPartitionConfiguration]
    /// Overrides `DispatcherConfiguration.noDestinationStatus` for this set (500 or 503).
    public var noDestinationStatus: Int?

    public init(name: String, algorithm: DispatcherAlgorithm = .roundRobin,
                destinations: [DispatcherDestinationConfiguration],
                partitions: [DispatcherPartitionConfiguration] = [], noDestinationStatus: Int? = nil)
    {
        self.name = name
        self.algorithm = algorithm
        self.destinations = destinations
        self.partitions = partitions
        self.noDestinationStatus = noDestinationStatus
    }

    /// Checks names, URIs, weights, attributes and partition references.
    public func validate() throws(DispatcherConfigurationError) {
        guard !name.isEmpty else { throw .emptySetName }
        if let status = noDestinationStatus, status != 500, status != 503 {
            throw .badNoDestinationStatus(status)
        }
        var uris = Set<String>()
        for destination in destinations {
            let key = try destination.validatedKey(set: name)
            guard uris.insert(key).inserted else { throw .duplicateDestination(set: name, uri: destination.uri) }
        }
        var domains = Set<String>()
        var partitionNames = Set<String>()
        for partition in partitions {
            guard partitionNames.insert(partition.name).inserted else {
                throw .duplicatePartition(set: name, partition: partition.name)
            }
            guard !partition.primaries.isEmpty else { throw .emptyPartition(set: name, partition: partition.name) }
            for uri in partition.primaries + partition.spares {
                guard let key = try? DispatcherDestinationID(configured: uri), uris.contains(key.rawValue) else {
                    throw .unknownPartitionMember(set: name, partition: partition.name, uri: uri)
                }
            }
            for domain in partition.domains {
                guard domains.insert(domain.lowercased()).inserted else {
                    throw .duplicatePartitionDomain(set: name, domain: domain)
                }
            }
        }
    }
}

/// One destination (a FreeSWITCH box) inside a set.
public struct DispatcherDestinationConfiguration: Sendable, Hashable {
    /// The SIP URI requests are relayed to, e.g. `sip:10.0.0.11:5080`. Also the destination's
    /// identity across reloads.
    public var uri: String
    /// Relative share for the weighted and hashing algorithms (1...10_000).
    public var weight: Int
    public var attributes: DispatcherDestinationAttributes

    public init(uri: String, weight: Int = 1, attributes: DispatcherDestinationAttributes = .init()) {
        self.uri = uri
        self.weight = weight
        self.attributes = attributes
    }

    func validatedKey(set: String) throws(DispatcherConfigurationError) -> String {
        let id: DispatcherDestinationID
        do { id = try DispatcherDestinationID(configured: uri) } catch { throw .badURI(set: set, uri: uri) }
        guard (1...10_000).contains(weight) else { throw .badWeight(set: set, uri: uri, weight: weight) }
        if let max = attributes.maxSessions, max <= 0 { throw .badMaxSessions(set: set, uri: uri, value: max) }
        if let esl = attributes.esl {
            guard !esl.host.isEmpty, (1...65_535).contains(esl.port),
                  !esl.password.utf8.contains(where: { $0 == 10 || $0 == 13 })
            else { throw .badESLAddress(set: set, uri: uri) }
        }
        return id.rawValue
    }
}

/// Per-destination attributes beyond the URI and weight.
public struct DispatcherDestinationAttributes: Sendable, Hashable {
    /// The most calls this box should carry; caps the FreeSWITCH-reported `Max-Sessions`.
    public var maxSessions: Int?
    /// Where the box's event socket listens, for load data (`freeswitchLoad` algorithm).
    public var esl: ESLEndpoint?
    /// Tier: candidates of a lower number are all tried before any of a higher number.
    public var priority: Int

    public init(maxSessions: Int? = nil, esl: ESLEndpoint? = nil, priority: Int = 0) {
        self.maxSessions = maxSessions
        self.esl = esl
        self.priority = priority
    }
}

/// A FreeSWITCH event socket address and password (`event_socket.conf.xml`).
public struct ESLEndpoint: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var password: String

    public init(host: String, port: Int = 8021, password: String = "ClueCon") {
        self.host = host
        self.port = port
        self.password = password
    }
}

/// A tenant partition: requests whose domain is one of `domains` go only to `primaries`; `spares`
/// are used only while every primary is unavailable.
public struct DispatcherPartitionConfiguration: Sendable, Hashable {
    public var name: String
    public var domains: [String]
    public var primaries: [String]
    public var spares: [String]

    public init(name: String, domains: [String], primaries: [String], spares: [String] = []) {
        self.name = name
        self.domains = domains
        self.primaries = primaries
        self.spares = spares
    }
}
