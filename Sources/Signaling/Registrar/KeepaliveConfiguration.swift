/// Keepalive settings (Kamailio nathelper's `natping_interval`, `ping_nated_only`, `max_pings_lost`;
/// RFC 5626 §4.4.1 CRLF keepalives for connections).
public struct KeepaliveConfiguration: Sendable {
    /// Every tracked binding is pinged once per interval. 20 s keeps common UDP NAT mappings (30–60 s) open.
    public var intervalMilliseconds: Int64 = 20_000
    /// Wheel resolution: the interval is cut into `interval / tick` slots, each fired once per interval.
    /// A shorter tick means smaller bursts (the edge uses 20 ms: 100 pings a tick at 100k bindings).
    public var tickMilliseconds: Int64 = 100
    /// Unanswered pings in a row after which the binding is reported unreachable.
    public var maxPingsLost = 3
    /// Ping only NATed UDP bindings (a public phone keeps no NAT mapping to refresh).
    public var pingNATedOnly = true
    /// Send CRLF keepalives on stream (TCP/TLS/WS) bindings.
    public var crlfOnStreams = true
    /// `host[:port]` of the local socket for the ping's Via (the phone answers there, or to the
    /// source with rport). Default: a placeholder; the daemon supplies the real socket address.
    public var viaSentBy: @Sendable (LocalSocketRef) -> String = { _ in "0.0.0.0" }
    /// The From URI of pings.
    public var fromURI = "sip:keepalive@edge.invalid"

    public init() {}

    var slotCount: Int { max(1, Int(intervalMilliseconds / max(1, tickMilliseconds))) }
}

/// What the keepalive scheduler asks the daemon to do.
public enum KeepaliveAction: Sendable {
    /// Send this OPTIONS (the whole datagram) to `to` from local socket `socket` (the one the
    /// binding registered through). Bytes, not a `SIPMessage`: pings are rendered from a template.
    case sendPing([UInt8], to: RegistrarPeer, socket: LocalSocketRef, pingID: UInt64)
    /// Write CRLFCRLF on the binding's connection (RFC 5626 §4.4.1); the CRLF pong is reported
    /// with `noteTraffic`.
    case sendCRLFPing(to: RegistrarPeer, socket: LocalSocketRef)
    /// `maxPingsLost` pings in a row went unanswered: remove the binding
    /// (`Registrar.removeBinding(key, reason: .keepaliveTimeout)`) and persist the change.
    case bindingUnreachable(RegistrarBindingKey, lostPings: Int)
}

/// Liveness of one tracked binding.
public struct KeepaliveStatus: Sendable, Hashable {
    public var lastReplyAt: RegistrarInstant?
    /// Round-trip time of the last answered ping.
    public var roundTripMilliseconds: Int64?
    /// Unanswered pings in a row.
    public var lostInARow: Int
    public var pingsSent: Int
}

public struct KeepaliveCounters: Sendable, Hashable {
    public var tracked = 0
    public var pingsSent = 0
    public var crlfPingsSent = 0
    public var pingsAnswered = 0
    public var pingsLost = 0
    public var bindingsRemoved = 0

    public init() {}
}
