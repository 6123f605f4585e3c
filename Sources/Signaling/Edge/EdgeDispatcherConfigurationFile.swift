import Foundation
import Yams

/// The `dispatcher:` section of the config file. Times are seconds (fractions allowed); every
/// error names file, line, column and key like the rest of the loader, and the section is checked
/// with `DispatcherConfiguration.validate()` at load time so a bad file never reaches `apply`.
///
/// ```yaml
/// dispatcher:
///   route_set: fs                   # the set requests from clients use (default: the first)
///   no_destination_status: 500      # 500 | 503
///   probing: { interval: 10, timeout: 5, failure_threshold: 3, success_threshold: 2,
///              failure_codes: [404], probe_active: true }
///   heartbeat_interval: 20          # ESL HEARTBEAT period the stale rule assumes
///   default_max_sessions: 1000
///   sets:
///     - name: fs
///       algorithm: round-robin      # weighted random least-calls freeswitch-load hash-call-id hash-ruri-user hash-domain
///       no_destination_status: 503
///       destinations:
///         - "sip:10.0.0.1:5080"
///         - { uri: "sip:10.0.0.2:5080", weight: 2, max_sessions: 500, priority: 1,
///             esl: { address: "10.0.0.2:8021", password: ClueCon } }
///       partitions:
///         - { name: acme, domains: [acme.example], primaries: ["sip:10.0.0.1:5080"], spares: ["sip:10.0.0.2:5080"] }
/// ```
enum EdgeDispatcherConfigurationFile {
    static func section(_ node: Node, reader: EdgeYAMLReader) throws(EdgeConfigurationError)
        -> (configuration: DispatcherConfiguration, routeSet: String?)
    {
        var configuration = DispatcherConfiguration(sets: [])
        var routeSet: String?
        var setNodes: [Node] = []
        for (key, keyNode, value) in try reader.entries(node, path: "dispatcher.") {
            let name = "dispatcher.\(key)"
            switch key {
            case "route_set": routeSet = try reader.string(value, key: name)
            case "no_destination_status": configuration.noDestinationStatus = try status(value, key: name, reader: reader)
            case "probing": configuration.probing = try probing(value, reader: reader)
            case "heartbeat_interval":
                configuration.heartbeatIntervalMilliseconds = try milliseconds(value, key: name, reader: reader)
            case "stale_heartbeats": configuration.staleHeartbeatIntervals = try reader.integer(value, key: name, range: 1...100)
            case "default_max_sessions":
                configuration.defaultMaxSessions = try reader.integer(value, key: name, range: 1...10_000_000)
            case "sets":
                setNodes = try reader.sequence(value, key: name)
                for item in setNodes { configuration.sets.append(try set(item, reader: reader)) }
            default: throw reader.unknown(keyNode, key: name)
            }
        }
        for (index, set) in configuration.sets.enumerated() {
            do { try set.validate() } catch { throw reader.error(setNodes[index], key: "dispatcher.sets", "\(error)") }
        }
        do { try configuration.validate() } catch { throw reader.error(node, key: "dispatcher", "\(error)") }
        return (configuration, routeSet)
    }

    static func status(_ node: Node, key: String, reader: EdgeYAMLReader) throws(EdgeConfigurationError) -> Int {
        let value = try reader.integer(node, key: key, range: 100...699)
        guard value == 500 || value == 503 else { throw reader.error(node, key: key, "expected 500 or 503") }
        return value
    }

    static func milliseconds(_ node: Node, key: String, reader: EdgeYAMLReader) throws(EdgeConfigurationError) -> Int64 {
        let seconds = try reader.number(node, key: key)
        guard seconds >= 0.01, seconds <= 86_400 else { throw reader.error(node, key: key, "expected 0.01...86400 seconds") }
        return Int64(seconds * 1000)
    }

    static func probing(_ node: Node, reader: EdgeYAMLReader) throws(EdgeConfigurationError) -> DispatcherProbingSettings {
        var settings = DispatcherProbingSettings()
        for (key, keyNode, value) in try reader.entries(node, path: "dispatcher.probing.") {
            let name = "dispatcher.probing.\(key)"
            switch key {
            case "interval": settings.intervalMilliseconds = try milliseconds(value, key: name, reader: reader)
            case "timeout": settings.timeoutMilliseconds = try milliseconds(value, key: name, reader: reader)
            case "failure_threshold": settings.failureThreshold = try reader.integer(value, key: name, range: 1...1000)
            case "success_threshold": settings.successThreshold = try reader.integer(value, key: name, range: 1...1000)
            case "probe_active": settings.probesActiveDestinations = try reader.bool(value, key: name)
            case "failure_codes":
                var codes = Set<Int>()
                for item in try reader.sequence(value, key: name) { codes.insert(try reader.integer(item, key: name, range: 100...699)) }
                settings.extraFailureCodes = codes
            default: throw reader.unknown(keyNode, key: name)
            }
        }
        return settings
    }

    static func set(_ node: Node, reader: EdgeYAMLReader) throws(EdgeConfigurationError) -> DispatcherSetConfiguration {
        var set = DispatcherSetConfiguration(name: "", destinations: [])
        for (key, keyNode, value) in try reader.entries(node, path: "dispatcher.sets.") {
            let name = "dispatcher.sets.\(key)"
            switch key {
            case "name": set.name = try reader.string(value, key: name)
            case "algorithm":
                let text = try reader.string(value, key: name).lowercased().replacingOccurrences(of: "_", with: "-")
                guard let algorithm = DispatcherAlgorithm(rawValue: text) else {
                    let names = DispatcherAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")
                    throw reader.error(value, key: name, "expected one of \(names)")
                }
                set.algorithm = algorithm
            case "no_destination_status": set.noDestinationStatus = try status(value, key: name, reader: reader)
            case "destinations":
                for item in try reader.sequence(value, key: name) { set.destinations.append(try destination(item, reader: reader)) }
            case "partitions", "tenants":
                for item in try reader.sequence(value, key: name) { set.partitions.append(try partition(item, reader: reader)) }
            default: throw reader.unknown(keyNode, key: name)
            }
        }
        guard !set.name.isEmpty else { throw reader.error(node, key: "dispatcher.sets.name", "every set needs a name") }
        return set
    }

    static func destination(_ node: Node, reader: EdgeYAMLReader) throws(EdgeConfigurationError)
        -> DispatcherDestinationConfiguration
    {
        if case .scalar = node { return DispatcherDestinationConfiguration(uri: try reader.string(node, key: "dispatcher.sets.destinations")) }
        var destination = DispatcherDestinationConfiguration(uri: "")
        for (key, keyNode, value) in try reader.entries(node, path: "dispatcher.sets.destinations.") {
            let name = "dispatcher.sets.destinations.\(key)"
            switch key {
            case "uri": destination.uri = try reader.string(value, key: name)
            case "weight": destination.weight = try reader.integer(value, key: name, range: 1...10_000)
            case "max_sessions": destination.attributes.maxSessions = try reader.integer(value, key: name, range: 1...10_000_000)
            case "priority": destination.attributes.priority = try reader.integer(value, key: name, range: -1000...1000)
            case "esl": destination.attributes.esl = try esl(value, reader: reader)
            default: throw reader.unknown(keyNode, key: name)
            }
        }
        guard (try? DispatcherDestinationID(configured: destination.uri)) != nil else {
            throw reader.error(node, key: "dispatcher.sets.destinations.uri", "expected sip:host[:port]")
        }
        return destination
    }

    static func esl(_ node: Node, reader: EdgeYAMLReader) throws(EdgeConfigurationError) -> ESLEndpoint {
        var endpoint = ESLEndpoint(host: "")
        for (key, keyNode, value) in try reader.entries(node, path: "dispatcher.sets.destinations.esl.") {
            let name = "dispatcher.sets.destinations.esl.\(key)"
            switch key {
            case "address":
                let text = try reader.string(value, key: name)
                if let (host, port) = EdgeAddressText.hostPort(text) {
                    endpoint.host = host
                    endpoint.port = port
                } else {
                    endpoint.host = text
                }
            case "password": endpoint.password = try reader.string(value, key: name)
            default: throw reader.unknown(keyNode, key: name)
            }
        }
        guard !endpoint.host.isEmpty else { throw reader.error(node, key: "dispatcher.sets.destinations.esl.address", "required") }
        return endpoint
    }

    static func partition(_ node: Node, reader: EdgeYAMLReader) throws(EdgeConfigurationError) -> DispatcherPartitionConfiguration {
        var partition = DispatcherPartitionConfiguration(name: "", domains: [], primaries: [])
        for (key, keyNode, value) in try reader.entries(node, path: "dispatcher.sets.partitions.") {
            let name = "dispatcher.sets.partitions.\(key)"
            switch key {
            case "name": partition.name = try reader.string(value, key: name)
            case "domains": partition.domains = try reader.strings(value, key: name)
            case "primaries", "destinations": partition.primaries = try reader.strings(value, key: name)
            case "spares": partition.spares = try reader.strings(value, key: name)
            default: throw reader.unknown(keyNode, key: name)
            }
        }
        guard !partition.name.isEmpty else { throw reader.error(node, key: "dispatcher.sets.partitions.name", "required") }
        return partition
    }
}
