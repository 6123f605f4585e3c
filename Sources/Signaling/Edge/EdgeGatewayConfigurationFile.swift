import Yams

/// The `gateways:` list of the config file: ITSP trunks by address, with their route options.
///
/// ```yaml
/// gateways:
///   - { name: itsp, address: 198.51.100.7, port: 5060, hash: did, set: fs, outbound: true }
///   - 198.51.100.8                 # just an address: any source port, the route set's algorithm
/// ```
/// `hash`: `did` (rendezvous on the Request-URI user), `call-id`, or `none` (the set's algorithm).
/// `set`: the dispatcher set its inbound calls use (default: the route set). `outbound`: farm calls
/// addressed to the edge that match no registered phone go to this gateway.
enum EdgeGatewayConfigurationFile {
    static func gateways(_ node: Node, reader: EdgeYAMLReader) throws(EdgeConfigurationError) -> [EdgeGateway] {
        var result: [EdgeGateway] = []
        for (index, item) in try reader.sequence(node, key: "gateways").enumerated() {
            result.append(try gateway(item, index: index, reader: reader))
        }
        return result
    }

    static func gateway(_ node: Node, index: Int, reader: EdgeYAMLReader) throws(EdgeConfigurationError) -> EdgeGateway {
        var gateway = EdgeGateway(name: "gateway\(index + 1)", host: "")
        if case .scalar = node {
            try setAddress(&gateway, try reader.string(node, key: "gateways"), node: node, reader: reader)
            return gateway
        }
        var sawAddress = false
        for (key, keyNode, value) in try reader.entries(node, path: "gateways.") {
            let name = "gateways.\(key)"
            switch key {
            case "name": gateway.name = try reader.string(value, key: name)
            case "address", "host":
                try setAddress(&gateway, try reader.string(value, key: name), node: value, reader: reader)
                sawAddress = true
            case "port": gateway.port = try reader.integer(value, key: name, range: 1...65535)
            case "transport":
                guard let transport = SIPPeerTransport(token: try reader.string(value, key: name).lowercased()),
                      transport == .udp || transport == .tcp
                else { throw reader.error(value, key: name, "expected udp or tcp") }
                gateway.transport = transport
            case "set": gateway.set = try reader.string(value, key: name)
            case "hash":
                let text = try reader.string(value, key: name).lowercased().replacingOccurrences(of: "_", with: "-")
                guard let hash = EdgeGatewayHash(rawValue: text) else {
                    throw reader.error(value, key: name, "expected did, call-id or none")
                }
                gateway.hash = hash
            case "outbound": gateway.outbound = try reader.bool(value, key: name)
            default: throw reader.unknown(keyNode, key: name)
            }
        }
        guard sawAddress else { throw reader.error(node, key: "gateways.address", "required") }
        return gateway
    }

    /// `10.0.0.1`, `10.0.0.1:5060`, `[fd00::1]:5060` or `sip:10.0.0.1:5060`: IP literals only (no DNS yet).
    static func setAddress(_ gateway: inout EdgeGateway, _ text: String, node: Node, reader: EdgeYAMLReader)
        throws(EdgeConfigurationError)
    {
        var rest = Substring(text)
        if rest.lowercased().hasPrefix("sip:") { rest = rest.dropFirst(4) }
        var host = String(rest)
        if let (parsedHost, port) = EdgeAddressText.hostPort(host) {
            host = parsedHost
            gateway.port = port
        } else if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        guard IPAddressClassifier.bytes(host) != nil else {
            throw reader.error(node, key: "gateways.address", "expected an IP address (host names are not resolved)")
        }
        gateway.host = host
    }
}
