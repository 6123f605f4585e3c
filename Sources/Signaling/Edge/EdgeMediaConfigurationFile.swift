import Yams

/// The `media:` section of the edge's YAML:
///
/// ```yaml
/// media:
///   relays:                          # ng control sockets; none = no steering
///     - { address: "10.0.0.20:2223", weight: 2 }
///     - "10.0.0.21:2223"             # weight 1
///   policy: nat                      # always | nat | never (calls from phones, and from the farm unless farm_policy)
///   farm_policy: nat                 # optional: calls the farm sends to phones
///   ping_interval: 5                 # s, ng ping to every relay
///   ping_timeout: 1                  # s
///   retransmit_ms: 500               # same cookie every 500 ms...
///   attempts: 3                      # ...3 copies per relay, then the next relay
///   down_after: 2                    # failures in a row → down
///   up_after: 2                      # pongs in a row → up
///   setup_timeout: 200               # s without a 2xx → delete
///   idle_timeout: 14400              # s of SIP silence in an established call → delete
/// ```
enum EdgeMediaConfigurationFile {
    static func section(_ node: Node, over base: EdgeMediaSettings, reader: EdgeYAMLReader) throws(EdgeConfigurationError)
        -> EdgeMediaSettings
    {
        var settings = base
        func policy(_ value: Node, key: String) throws(EdgeConfigurationError) -> MediaSteeringPolicy {
            guard let policy = MediaSteeringPolicy(rawValue: try reader.string(value, key: key).lowercased()) else {
                throw reader.error(value, key: key, "expected always, nat or never")
            }
            return policy
        }
        func seconds(_ value: Node, key: String, _ range: ClosedRange<Double>) throws(EdgeConfigurationError) -> Int64 {
            let number = try reader.number(value, key: key)
            guard range.contains(number) else { throw reader.error(value, key: key, "expected \(range) seconds") }
            return Int64(number * 1000)
        }
        for (key, keyNode, value) in try reader.entries(node, path: "media.") {
            let name = "media.\(key)"
            switch key {
            case "relays":
                settings.relays = try reader.sequence(value, key: name).map { item throws(EdgeConfigurationError) in
                    try relay(item, reader: reader)
                }
            case "policy": settings.steering.policy = try policy(value, key: name)
            case "farm_policy": settings.steering.farmPolicy = try policy(value, key: name)
            case "ping_interval": settings.client.pingIntervalMilliseconds = try seconds(value, key: name, 0.1...3600)
            case "ping_timeout": settings.client.pingTimeoutMilliseconds = try seconds(value, key: name, 0.05...60)
            case "retransmit_ms":
                settings.client.retransmitMilliseconds = Int64(try reader.integer(value, key: name, range: 10...60_000))
            case "attempts": settings.client.attemptsPerRelay = try reader.integer(value, key: name, range: 1...20)
            case "down_after": settings.client.failuresToDown = try reader.integer(value, key: name, range: 1...100)
            case "up_after": settings.client.successesToUp = try reader.integer(value, key: name, range: 1...100)
            case "setup_timeout": settings.steering.setupTimeoutMilliseconds = try seconds(value, key: name, 1...86_400)
            case "idle_timeout": settings.steering.idleTimeoutMilliseconds = try seconds(value, key: name, 1...86_400 * 7)
            default: throw reader.unknown(keyNode, key: name)
            }
        }
        return settings
    }

    static func relay(_ node: Node, reader: EdgeYAMLReader) throws(EdgeConfigurationError) -> MediaRelay {
        func parse(_ text: String, at valueNode: Node) throws(EdgeConfigurationError) -> MediaRelay {
            var address = Substring(text)
            if address.hasPrefix("udp:") { address = address.dropFirst(4) }
            guard let (host, port) = EdgeAddressText.hostPort(String(address)), port > 0 else {
                throw reader.error(valueNode, key: "media.relays.address", "expected host:port")
            }
            return MediaRelay(host: host, port: port)
        }
        if case .scalar = node { return try parse(try reader.string(node, key: "media.relays"), at: node) }
        var relay: MediaRelay?
        var weight = 1
        for (key, keyNode, value) in try reader.entries(node, path: "media.relays.") {
            switch key {
            case "address": relay = try parse(try reader.string(value, key: "media.relays.address"), at: value)
            case "weight": weight = try reader.integer(value, key: "media.relays.weight", range: 0...10_000)
            default: throw reader.unknown(keyNode, key: "media.relays.\(key)")
            }
        }
        guard var relay else { throw reader.error(node, key: "media.relays.address", "address required") }
        relay.weight = weight
        return relay
    }
}
