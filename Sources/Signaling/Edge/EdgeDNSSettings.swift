import Foundation
import Yams

/// The `dns:` section: where next-hop host names are resolved (RFC 3263).
///
/// ```yaml
/// dns:
///   nameserver: "127.0.0.1:5353"   # default: first `nameserver` of /etc/resolv.conf, port 53
///   timeout_ms: 1000               # per query, then sent again
///   attempts: 3                    # sends per query before it counts as failed
/// ```
public struct EdgeDNSSettings: Sendable, Hashable {
    /// host:port; nil = read /etc/resolv.conf when the edge starts.
    public var nameserver: String?
    public var timeoutMilliseconds: Int64 = 1000
    public var attempts = 3

    public init() {}

    /// The nameserver to use: the configured one, else resolv.conf's first, else 127.0.0.1:53.
    func resolvedNameserver(resolvConf path: String = "/etc/resolv.conf") -> (host: String, port: Int) {
        if let nameserver, let hostPort = EdgeAddressText.hostPort(nameserver) { return hostPort }
        if let text = try? String(contentsOfFile: path, encoding: .utf8), let host = Self.firstNameserver(in: text) {
            return (host, 53)
        }
        return ("127.0.0.1", 53)
    }

    /// The address of the first `nameserver` line (resolv.conf(5)); a zone index (`fe80::1%eth0`) is dropped.
    static func firstNameserver(in text: String) -> String? {
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "nameserver" else { continue }
            return String(fields[1].split(separator: "%").first ?? fields[1])
        }
        return nil
    }
}

/// Reads the `dns:` YAML section.
enum EdgeDNSConfigurationFile {
    static func section(_ node: Yams.Node, over base: EdgeDNSSettings, reader: EdgeYAMLReader) throws(EdgeConfigurationError)
        -> EdgeDNSSettings
    {
        var settings = base
        for (key, _, value) in try reader.entries(node, path: "dns.") {
            let name = "dns.\(key)"
            switch key {
            case "nameserver":
                let text = try reader.string(value, key: name)
                guard EdgeAddressText.hostPort(text) != nil else { throw reader.error(value, key: name, "expected host:port") }
                settings.nameserver = text
            case "timeout_ms": settings.timeoutMilliseconds = Int64(try reader.integer(value, key: name, range: 50...30_000))
            case "attempts": settings.attempts = try reader.integer(value, key: name, range: 1...10)
            default: throw reader.unknown(value, key: name)
            }
        }
        return settings
    }
}
