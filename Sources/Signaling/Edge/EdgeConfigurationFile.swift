import Foundation
import Yams

/// The YAML config file of `tandem signaling`. Unknown keys are errors (a typo never silently falls
/// back to a default); every error names the file, line, column and key, from Yams' node marks.
///
/// ```yaml
/// listeners:
///   - { address: 0.0.0.0, port: 5060, transport: udp, advertised: 203.0.113.5 }
///   - { address: 0.0.0.0, port: 5060, transport: tcp }
/// farm: ["sip:127.0.0.1:5080"]     # the implicit round-robin set "farm"
/// dispatcher: { ... }              # sets, algorithms, probing: see EdgeDispatcherConfigurationFile
/// gateways: [{ address: 198.51.100.7, hash: did }]   # ITSP trunks: see EdgeGatewayConfigurationFile
/// registrar:
///   default_mode: local            # local | passthrough
///   domains: { example.com: passthrough }
///   min_expires: 60
///   max_expires: 3600
///   default_expires: 3600
///   max_contacts: 10
/// keepalive: { enabled: true, interval: 20, max_pings_lost: 3, twin: true }   # interval in seconds
/// media: { relays: ["127.0.0.1:2223"], policy: nat }   # see EdgeMediaConfigurationFile
/// presence: { enabled: true, ... }  # SUBSCRIBE/PUBLISH/MESSAGE at the edge: see EdgeConfigurationFile+Presence
/// admin: 127.0.0.1:9103            # "" disables
/// data_dir: ./var/signaling
/// location: { store: sqlite }     # memory | sqlite: see EdgeConfigurationFile+Location
/// timers: { t1_ms: 500, timer_c_ms: 180000 }
/// drain_timeout: 5
/// log_level: info
/// ```
public enum EdgeConfigurationFile {
    /// Reads `path` and applies it over `base`.
    public static func load(path: String, over base: EdgeConfiguration) throws(EdgeConfigurationError) -> EdgeConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EdgeConfigurationError(file: path, line: 0, column: 0, key: nil, message: "cannot read file")
        }
        return try apply(yaml: String(decoding: data, as: UTF8.self), file: path, over: base)
    }

    /// Applies YAML text (`file` names it in errors).
    public static func apply(yaml: String, file: String, over base: EdgeConfiguration) throws(EdgeConfigurationError)
        -> EdgeConfiguration
    {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw EdgeConfigurationError(file: file, yamlError: error)
        } catch {
            throw EdgeConfigurationError(file: file, line: 0, column: 0, key: nil, message: "\(error)")
        }
        guard let root else { return base }
        var configuration = base
        let reader = EdgeYAMLReader(file: file)
        var dispatcherNode: Node?
        var gatewaysNode: Node?
        for (key, keyNode, value) in try reader.entries(root, path: "") {
            switch key {
            case "listeners":
                configuration.listeners = try reader.sequence(value, key: key).map { item throws(EdgeConfigurationError) in
                    try listener(item, reader: reader)
                }
            case "farm":
                configuration.farm = try reader.strings(value, key: key).map { text throws(EdgeConfigurationError) in
                    guard let peer = EdgeAddressText.farmPeer(text) else {
                        throw reader.error(value, key: key, "expected sip:host:port")
                    }
                    return peer
                }
            case "dispatcher":
                let section = try EdgeDispatcherConfigurationFile.section(value, reader: reader)
                configuration.dispatcher = section.configuration
                configuration.dispatcherSet = section.routeSet
                dispatcherNode = value
            case "gateways":
                configuration.gateways = try EdgeGatewayConfigurationFile.gateways(value, reader: reader)
                gatewaysNode = value
            case "registrar": configuration.registrar = try registrar(value, over: configuration.registrar, reader: reader)
            case "keepalive": configuration.keepalive = try keepalive(value, over: configuration.keepalive, reader: reader)
            case "media": configuration.media = try EdgeMediaConfigurationFile.section(value, over: configuration.media, reader: reader)
            case "dns": configuration.dns = try EdgeDNSConfigurationFile.section(value, over: configuration.dns, reader: reader)
            case "presence": configuration.presence = try presence(value, over: configuration.presence, reader: reader)
            case "admin":
                let text = try reader.string(value, key: key)
                if text.isEmpty {
                    configuration.admin = nil
                } else {
                    guard EdgeAddressText.hostPort(text) != nil else { throw reader.error(value, key: key, "expected host:port") }
                    configuration.admin = text
                }
            case "data_dir": configuration.dataDirectory = try reader.string(value, key: key)
            case "location": configuration.locationStore = try location(value, over: configuration.locationStore, reader: reader)
            case "log_level": configuration.logLevel = try reader.string(value, key: key)
            case "drain_timeout": configuration.drainMilliseconds = Int64(try reader.number(value, key: key) * 1000)
            case "timers":
                for (sub, _, subValue) in try reader.entries(value, path: "timers.") {
                    switch sub {
                    case "t1_ms": configuration.t1Milliseconds = Int64(try reader.integer(subValue, key: "timers.t1_ms", range: 1...60_000))
                    case "timer_c_ms":
                        configuration.timerCMilliseconds = Int64(try reader.integer(subValue, key: "timers.timer_c_ms", range: 1000...3_600_000))
                    default: throw reader.unknown(value, key: "timers.\(sub)")
                    }
                }
            default:
                throw reader.unknown(keyNode, key: key)
            }
        }
        if let routeSet = configuration.dispatcherSet,
           !configuration.effectiveDispatcher.sets.contains(where: { $0.name == routeSet })
        {
            throw reader.error(dispatcherNode ?? root, key: "dispatcher.route_set", "no set named '\(routeSet)'")
        }
        let setNames = Set(configuration.effectiveDispatcher.sets.map(\.name))
        if let unknown = configuration.gateways.first(where: { $0.set.map { !setNames.contains($0) } ?? false }) {
            throw reader.error(gatewaysNode ?? root, key: "gateways.set", "no set named '\(unknown.set ?? "")'")
        }
        return configuration
    }

    static func listener(_ node: Node, reader: EdgeYAMLReader) throws(EdgeConfigurationError) -> EdgeListener {
        var listener = EdgeListener(host: "127.0.0.1", port: 5060, transport: .udp)
        for (key, keyNode, value) in try reader.entries(node, path: "listeners.") {
            let name = "listeners.\(key)"
            switch key {
            case "address": listener.host = try reader.string(value, key: name)
            case "port": listener.port = try reader.integer(value, key: name, range: 0...65535)
            case "transport":
                guard let kind = SIPTransportKind(rawValue: try reader.string(value, key: name).lowercased()) else {
                    throw reader.error(value, key: name, "expected udp or tcp")
                }
                listener.transport = kind
            case "advertised":
                let text = try reader.string(value, key: name)
                if let (host, port) = EdgeAddressText.hostPort(text) {
                    listener.advertisedHost = host
                    listener.advertisedPort = port
                } else {
                    listener.advertisedHost = text
                }
            default: throw reader.unknown(keyNode, key: name)
            }
        }
        return listener
    }

    static func registrar(_ node: Node, over base: EdgeRegistrarSettings, reader: EdgeYAMLReader) throws(EdgeConfigurationError)
        -> EdgeRegistrarSettings
    {
        var settings = base
        func mode(_ value: Node, key: String) throws(EdgeConfigurationError) -> RegistrarDomainMode {
            switch try reader.string(value, key: key).lowercased() {
            case "local": return .local
            case "passthrough", "pass-through", "pass_through": return .passThrough
            default: throw reader.error(value, key: key, "expected local or passthrough")
            }
        }
        for (key, keyNode, value) in try reader.entries(node, path: "registrar.") {
            let name = "registrar.\(key)"
            switch key {
            case "default_mode", "mode": settings.defaultMode = try mode(value, key: name)
            case "domains":
                var domains: [String: RegistrarDomainMode] = [:]
                for (domain, _, domainValue) in try reader.entries(value, path: "registrar.domains.") {
                    domains[domain.lowercased()] = try mode(domainValue, key: "registrar.domains.\(domain)")
                }
                settings.domains = domains
            case "min_expires": settings.minExpires = try reader.integer(value, key: name, range: 0...86_400 * 365)
            case "max_expires": settings.maxExpires = try reader.integer(value, key: name, range: 1...86_400 * 365)
            case "default_expires": settings.defaultExpires = try reader.integer(value, key: name, range: 1...86_400 * 365)
            case "max_contacts": settings.maxContacts = try reader.integer(value, key: name, range: 1...1000)
            default: throw reader.unknown(keyNode, key: name)
            }
        }
        guard settings.minExpires <= settings.maxExpires else {
            throw reader.error(node, key: "registrar.min_expires", "must not exceed max_expires")
        }
        return settings
    }

    static func keepalive(_ node: Node, over base: EdgeKeepaliveSettings, reader: EdgeYAMLReader) throws(EdgeConfigurationError)
        -> EdgeKeepaliveSettings
    {
        var settings = base
        for (key, keyNode, value) in try reader.entries(node, path: "keepalive.") {
            let name = "keepalive.\(key)"
            switch key {
            case "enabled": settings.enabled = try reader.bool(value, key: name)
            case "interval":
                let seconds = try reader.number(value, key: name)
                guard seconds >= 0.2, seconds <= 3600 else { throw reader.error(value, key: name, "expected 0.2...3600 seconds") }
                settings.intervalMilliseconds = Int64(seconds * 1000)
            case "max_pings_lost": settings.maxPingsLost = try reader.integer(value, key: name, range: 1...100)
            case "twin": settings.twin = try reader.bool(value, key: name)
            default: throw reader.unknown(keyNode, key: name)
            }
        }
        return settings
    }
}
