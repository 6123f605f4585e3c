/// The relay's ICE-lite agent for `ICE: force` (RFC 8445 §2.5): answers the connectivity checks that reach the
/// relay's stream sockets. The workers only recognise STUN and hand it over (`DataPlane.takeSTUNMessages`); this
/// decides, per stream, whether the check is ours and what to answer (`ICELiteResponder`), on the control thread.
///
/// Credentials are kept per data plane stream (`StreamID`, whose generation changes whenever a slot or port is
/// reused), not per port: a check that arrives for a socket after its call ended and its port went to another call
/// finds no entry and is dropped, instead of being answered with the old call's password.
///
/// Sans I/O: the driver sends the response from the stream's socket to the check's source.
public final class ICELiteAgent {
    struct Entry {
        var socket: LocalSocket
        var ufrag: [UInt8]
        var password: [UInt8]
    }

    private var entries: [StreamID: Entry] = [:]
    private var streamOfSocket: [LocalSocket: StreamID] = [:]
    public private(set) var counters = ICECheckCounters()

    public init() {}

    /// Streams that answer checks now.
    public var count: Int { entries.count }

    /// Applies the handler's changes; `stream` maps a socket to its open data plane stream (nil: not open, the
    /// change is skipped).
    public func apply(_ changes: [ICECredentialChange], stream: (LocalSocket) -> StreamID?) {
        for change in changes {
            if let old = streamOfSocket.removeValue(forKey: change.socket) { entries[old] = nil }
            guard let credentials = change.credentials, let id = stream(change.socket) else { continue }
            entries[id] = Entry(socket: change.socket, ufrag: Array(credentials.ufrag.utf8),
                                password: Array(credentials.password.utf8))
            streamOfSocket[change.socket] = id
        }
    }

    /// Forgets streams that are no longer open (`isOpen` false); the relay runs this once a second.
    public func prune(isOpen: (LocalSocket, StreamID) -> Bool) {
        for (id, entry) in entries where !isOpen(entry.socket, id) {
            entries[id] = nil
            if streamOfSocket[entry.socket] == id { streamOfSocket[entry.socket] = nil }
        }
    }

    /// What to send for one diverted STUN message, or nil (nothing to send: counted).
    public func answer(_ message: DivertedSTUNMessage) -> ICECheckAnswer? {
        counters.received &+= 1
        guard let entry = entries[message.stream] else {
            counters.noCredentials &+= 1
            return nil
        }
        guard let source = STUNTransportAddress(address: message.source.addressBytes, port: message.source.port) else {
            counters.count(.malformed)
            return nil
        }
        switch ICELiteResponder.answer(message.bytes, from: source, ufrag: entry.ufrag, password: entry.password) {
        case .success(let response, let nominated):
            counters.answered &+= 1
            if nominated { counters.nominations &+= 1 }
            return ICECheckAnswer(response: response, socket: entry.socket, nominated: nominated)
        case .error(let response, let failure):
            counters.count(failure)
            return ICECheckAnswer(response: response, socket: entry.socket, nominated: false)
        case .ignore(let failure):
            counters.count(failure)
            return nil
        }
    }
}

/// One answer to send: `response` leaves from `socket` to the check's source. `nominated`: the check verified and
/// carried USE-CANDIDATE, so the driver latches the stream to its source.
public struct ICECheckAnswer: Hashable, Sendable {
    public var response: [UInt8]
    public var socket: LocalSocket
    public var nominated: Bool
}

/// What the ICE-lite agent did with the STUN messages it was handed.
public struct ICECheckCounters: Hashable, Sendable {
    /// STUN messages handed over by the workers.
    public var received: UInt64 = 0
    /// Checks answered with a Binding success.
    public var answered: UInt64 = 0
    /// Successful checks that carried USE-CANDIDATE.
    public var nominations: UInt64 = 0
    /// Messages for a stream without ICE credentials (no `ICE: force`): dropped silently.
    public var noCredentials: UInt64 = 0
    /// Not well-formed STUN, or a FINGERPRINT that did not match: dropped.
    public var malformed: UInt64 = 0
    /// Responses and indications: dropped (a lite agent sends no requests).
    public var notRequest: UInt64 = 0
    /// Answered 400 (another method, USERNAME or MESSAGE-INTEGRITY missing) or 420.
    public var badRequest: UInt64 = 0
    /// Answered 401: the USERNAME does not start with this stream's ufrag.
    public var unknownUsername: UInt64 = 0
    /// Answered 401: MESSAGE-INTEGRITY did not verify with this stream's password.
    public var badIntegrity: UInt64 = 0

    public init() {}

    mutating func count(_ failure: ICELiteResponder.Failure) {
        switch failure {
        case .malformed, .badFingerprint: malformed &+= 1
        case .notRequest: notRequest &+= 1
        case .badRequest, .unknownAttributes: badRequest &+= 1
        case .unknownUsername: unknownUsername &+= 1
        case .badIntegrity: badIntegrity &+= 1
        }
    }
}
