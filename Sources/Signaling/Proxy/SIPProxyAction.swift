/// Who asked the proxy to send a request of its own, so the answer finds its way back.
public enum SIPRequestOrigin: Sendable, Hashable {
    /// The registrar (e.g. OPTIONS keepalives to bindings); the tag is the registrar's own.
    case registrar(UInt64)
    /// The dispatcher (health-check pings to nodes).
    case dispatcher(UInt64)
    /// Anything else in the daemon.
    case application(UInt64)
}

/// What the proxy core asks its driver to do.
public enum SIPProxyAction: Sendable {
    /// Send `message.bytes` to `peer`, from `local` when given (else any socket of that transport).
    case send(SIPMessage, to: SIPPeer, local: LocalSocketRef?)
    /// A request for the application (router said `.local`): answer it with `SIPProxy.respond`/
    /// `SIPProxy.sendResponse` or route it with `SIPProxy.forward` using `server`. `server` is nil
    /// for an ACK (no transaction, nothing to answer).
    case deliverLocal(SIPMessage, server: SIPTransactionID?, source: SIPPeer, local: LocalSocketRef)
    /// A response to a request sent with `SIPProxy.sendRequest` (provisionals and the final).
    case originatedResponse(SIPMessage, client: SIPTransactionID, origin: SIPRequestOrigin)
    /// A request sent with `SIPProxy.sendRequest` got no final response (timer B/F) or could not
    /// be delivered.
    case originatedFailure(client: SIPTransactionID, origin: SIPRequestOrigin, timer: SIPTimerName?)
}
