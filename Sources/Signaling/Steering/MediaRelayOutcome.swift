import Relay

/// How an ng request ended.
public enum MediaRelayOutcome: Sendable {
    /// `result: ok` (or `pong`): the reply's dictionary, and the relay that gave it.
    case reply(NGDictionary, relay: MediaRelayIndex)
    case failed(MediaRelayFailure)

    public var reply: NGDictionary? {
        if case .reply(let dictionary, _) = self { return dictionary }
        return nil
    }
}

/// Why an ng request did not get a usable reply.
public enum MediaRelayFailure: Sendable, Hashable {
    /// No relay configured, or every relay was tried.
    case noRelayAvailable
    /// The relay(s) tried did not answer (after retransmissions).
    case timedOut
    /// The relay answered `result: error` (`error-reason`), e.g. an answer for a call it does not know.
    case errorReply(String)
}

/// What the client asks its driver to do.
public enum MediaRelayClientAction: Sendable {
    /// Send this datagram to the relay's ng socket.
    case transmit([UInt8], to: MediaRelayIndex)
    /// The request sent with `token` is done.
    case completed(token: UInt64, MediaRelayOutcome)
    /// A relay went up or down (for logs; metrics read the client).
    case relayStateChanged(MediaRelayIndex, MediaRelayHealth.State)
}

/// Requests by command and result, for metrics.
public struct MediaRelayRequestKey: Sendable, Hashable {
    public var command: MediaRelayCommand
    /// `ok`, `error`, `timeout`, `no_relay`.
    public var result: String
}
