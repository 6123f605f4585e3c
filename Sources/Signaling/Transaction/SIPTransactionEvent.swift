/// What the transaction layer asks of its drivers and its TU. The layer never performs I/O: the
/// caller sends what `.send` carries and hands the rest to the TU (the proxy core).
public enum SIPTransactionEvent: Sendable {
    /// Put these bytes (`message.bytes`) on the wire to `peer`, from `local` when given (replies and
    /// retransmissions of server transactions always name the socket the request arrived on).
    case send(SIPMessage, to: SIPPeer, local: LocalSocketRef?)
    /// A new request created server transaction `server`; the TU must answer it through
    /// `sendResponse(_:on:now:)` (or let it time out).
    case request(SIPMessage, server: SIPTransactionID, source: SIPPeer, local: LocalSocketRef)
    /// A request that creates no transaction: an ACK that matched none (the ACK for a 2xx, which
    /// is end to end and is forwarded like a new request, RFC 3261 §17.2.3, §16.7).
    case ack(SIPMessage, source: SIPPeer, local: LocalSocketRef)
    /// A response for client transaction `client` that the TU must see (provisionals, the first
    /// final, further 2xx of a forked INVITE). Retransmissions are absorbed.
    case response(SIPMessage, client: SIPTransactionID)
    /// A response that matched no client transaction; a proxy forwards it statelessly (§16.7 step 1).
    case strayResponse(SIPMessage, source: SIPPeer, local: LocalSocketRef)
    /// A transaction gave up: timer B or F (client: no final response), H (server: no ACK).
    case timeout(SIPTransactionID, SIPTimerName)
    /// Timer C fired for a proxy INVITE client transaction (RFC 3261 §16.8): the TU cancels it or
    /// treats it as a 408. The transaction itself keeps running.
    case timerC(SIPTransactionID)
    /// The transport reported it could not deliver for this transaction (§17.1.4, §17.2.4).
    case transportError(SIPTransactionID)
    /// The transaction is gone; its id will not appear again.
    case terminated(SIPTransactionID)
}
