/// What the ng handler counts, for `statistics` and the Prometheus exporter.
public struct NGCommandCounters: Hashable, Sendable {
    /// Replies by command name (`ping`, `offer`, ..., `unknown` for an unrecognised or undecodable command) and
    /// result (`ok`, `pong`, `warning`, `error`).
    public var replies: [NGCommandResultKey: UInt64] = [:]
    /// Requests answered from the cookie cache.
    public var duplicates: UInt64 = 0
    /// Datagrams that did not decode (bad bencode/JSON, oversized, no cookie).
    public var malformed: UInt64 = 0
    /// Datagrams without a cookie, which cannot be answered at all.
    public var unanswerable: UInt64 = 0
    /// Ports the data plane could not bind (each moved to a fresh port).
    public var unbindablePorts: UInt64 = 0
    /// Calls ended by the clock, by reason (timeouts and delayed deletes).
    public var callsEnded: [CallEndReason: UInt64] = [:]

    public init() {}

    mutating func count(command: String, result: String) {
        replies[NGCommandResultKey(command: command, result: result), default: 0] &+= 1
    }

    /// Replies of one command and result.
    public func replies(command: String, result: String) -> UInt64 {
        replies[NGCommandResultKey(command: command, result: result)] ?? 0
    }
}

/// A (command, result) pair.
public struct NGCommandResultKey: Hashable, Sendable, Comparable {
    public var command: String
    public var result: String

    public init(command: String, result: String) {
        self.command = command
        self.result = result
    }

    public static func < (lhs: NGCommandResultKey, rhs: NGCommandResultKey) -> Bool {
        (lhs.command, lhs.result) < (rhs.command, rhs.result)
    }
}

/// One handled datagram, for the driver's log: what was asked and how it ended.
public struct NGExchange: Sendable {
    /// The reply datagram; nil when none can be sent (no cookie).
    public var reply: [UInt8]?
    public var command: String
    public var result: String
    /// `error-reason` or `warning` text.
    public var detail: String?
    public var callID: String?
    /// Served from the cookie cache.
    public var duplicate: Bool
    /// Calls or branches that ended because of this command.
    public var events: [SessionEvent]
}
