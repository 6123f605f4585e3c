/// One ng relay of the steering set: where its control socket is and how much of the new calls it
/// should get relative to the others (`weight` 0 takes no new calls but still serves its own).
public struct MediaRelay: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var weight: Int

    public init(host: String, port: Int, weight: Int = 1) {
        self.host = host
        self.port = port
        self.weight = weight
    }

    /// `host:port` (IPv6 in brackets), as the admin API and metrics label a relay.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A relay's position in the client's set: actions name relays by index so the driver can keep its
/// resolved socket addresses in a parallel array.
public typealias MediaRelayIndex = Int
