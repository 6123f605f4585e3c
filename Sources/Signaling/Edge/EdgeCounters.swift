/// Why the edge itself (not the proxy core) dropped something.
public enum EdgeDropReason: String, Sendable, Hashable, CaseIterable {
    /// A message from a non-IP address.
    case unknownSourceAddress = "unknown_source"
    /// No listener of the destination's transport.
    case noListenerForTransport = "no_listener"
}

/// The edge glue's own statistics (the cores keep theirs).
public struct EdgeCounters: Sendable, Hashable {
    public var drops: [EdgeDropReason: UInt64] = [:]
    /// Contacts rewritten to the packet source (requests and responses from NATed clients).
    public var natContactFixes: UInt64 = 0
    /// Responses consumed as keepalive replies.
    public var keepaliveReplies: UInt64 = 0
    /// New requests refused with 503 while draining.
    public var drainRejections: UInt64 = 0
    /// Next hops whose host name resolved to nothing usable (RFC 3263; `EdgeCore+DNS.swift`).
    public var dnsFailures: UInt64 = 0

    public init() {}

    mutating func drop(_ reason: EdgeDropReason) { drops[reason, default: 0] += 1 }
}
