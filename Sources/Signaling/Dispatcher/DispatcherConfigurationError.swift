/// What is wrong with a dispatcher configuration; `description` is meant for the operator.
public enum DispatcherConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    case emptySetName
    case duplicateSet(String)
    case badURI(set: String, uri: String)
    case duplicateDestination(set: String, uri: String)
    case badWeight(set: String, uri: String, weight: Int)
    case badMaxSessions(set: String, uri: String, value: Int)
    case badESLAddress(set: String, uri: String)
    case duplicatePartition(set: String, partition: String)
    case emptyPartition(set: String, partition: String)
    case unknownPartitionMember(set: String, partition: String, uri: String)
    case duplicatePartitionDomain(set: String, domain: String)
    case badNoDestinationStatus(Int)
    case badHeartbeatSettings
    case badDefaultMaxSessions(Int)
    case badProbing(String)

    public var description: String {
        switch self {
        case .emptySetName: return "dispatcher: a set has an empty name"
        case .duplicateSet(let name): return "dispatcher: set '\(name)' is defined twice"
        case .badURI(let set, let uri): return "dispatcher set '\(set)': '\(uri)' is not a sip/sips URI with a host"
        case .duplicateDestination(let set, let uri): return "dispatcher set '\(set)': destination '\(uri)' is listed twice"
        case .badWeight(let set, let uri, let weight):
            return "dispatcher set '\(set)': destination '\(uri)' has weight \(weight) (must be 1...10000)"
        case .badMaxSessions(let set, let uri, let value):
            return "dispatcher set '\(set)': destination '\(uri)' has max sessions \(value) (must be > 0)"
        case .badESLAddress(let set, let uri):
            return "dispatcher set '\(set)': destination '\(uri)' has an ESL address without host, with a bad port, or a password containing CR/LF"
        case .duplicatePartition(let set, let partition): return "dispatcher set '\(set)': partition '\(partition)' is defined twice"
        case .emptyPartition(let set, let partition): return "dispatcher set '\(set)': partition '\(partition)' has no primaries"
        case .unknownPartitionMember(let set, let partition, let uri):
            return "dispatcher set '\(set)': partition '\(partition)' names '\(uri)', which is not a destination of the set"
        case .duplicatePartitionDomain(let set, let domain):
            return "dispatcher set '\(set)': domain '\(domain)' belongs to two partitions"
        case .badNoDestinationStatus(let status): return "dispatcher: no-destination status \(status) must be 500 or 503"
        case .badHeartbeatSettings: return "dispatcher: heartbeat interval and stale intervals must be > 0"
        case .badDefaultMaxSessions(let value): return "dispatcher: default max sessions \(value) must be > 0"
        case .badProbing(let what): return "dispatcher probing: \(what)"
        }
    }
}
