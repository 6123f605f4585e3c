/// Requests the application answers without a server transaction (`SIPProxyRouter.answersStatelessly`):
/// the §16.3 checks still run and their failures are answered statelessly; what passes goes up as
/// `.deliverLocal(server: nil)` and its answer comes back through `sendStatelessResponse`.
extension SIPProxy {
    mutating func deliverStatelessly(_ received: SIPMessage, source: SIPPeer, local: LocalSocketRef,
                                     decoded: SIPProxyDecodedRequest? = nil) -> [SIPProxyAction]
    {
        if let failure = validationFailure(received, decoded: decoded) {
            countFinal(received.method, status: failure.status)
            return statelessResponse(to: received, status: failure.status, reason: failure.reason, source: source,
                                     local: local, headers: failure.headers)
        }
        var request = received
        // Our own Route entries go (as for any request); Max-Forwards is left alone: the request
        // ends here and is never forwarded.
        preprocessRoutes(&request, requestURI: decoded?.requestURI)
        counters.statelessDeliveries += 1
        return [.deliverLocal(request, server: nil, source: source, local: local)]
    }

    /// Sends the application's answer to a request delivered without a transaction: to the address
    /// §18.2.2 / RFC 3581 give for `request` (as received, with `received`/`rport` filled), from the
    /// socket it came in on. Counted like a transaction's final response.
    public mutating func sendStatelessResponse(_ response: SIPMessage, to request: SIPMessage, source: SIPPeer,
                                               local: LocalSocketRef) -> [SIPProxyAction]
    {
        sendStatelessResponse(response, to: request, topVia: try? request.topVia, source: source, local: local)
    }

    /// The same with `request`'s top Via already decoded by the caller (nil: none or unparseable).
    public mutating func sendStatelessResponse(_ response: SIPMessage, to request: SIPMessage, topVia: SIPVia?,
                                               source: SIPPeer, local: LocalSocketRef) -> [SIPProxyAction]
    {
        if let status = response.statusCode { countFinal(request.method, status: status) }
        let destination = SIPResponseAddressing.destination(topVia: topVia, source: source)
        return [.send(response, to: destination, local: local)]
    }

    /// A stateless answer the proxy builds itself (§8.2.6 copy rules, our To tag).
    public mutating func respondStatelessly(to request: SIPMessage, status: Int, reason: String, source: SIPPeer,
                                            local: LocalSocketRef, headers: [SIPHeaderLine] = []) -> [SIPProxyAction]
    {
        countFinal(request.method, status: status)
        return statelessResponse(to: request, status: status, reason: reason, source: source, local: local,
                                 headers: headers)
    }

    mutating func countFinal(_ method: SIPMethod?, status: Int) {
        guard let method, status >= 200 else { return }
        counters.finalResponses[SIPTransactionOutcome(method: method, statusClass: status / 100), default: 0] += 1
    }
}
