/// Requests the proxy sends on its own behalf (OPTIONS keepalives of the registrar, dispatcher
/// pings): a client transaction whose responses go back to the originator instead of upstream.
extension SIPProxy {
    /// Sends `request` (Request-URI, From, To, Call-ID, CSeq already set by the caller) to
    /// `target`: the proxy pushes its Via with a fresh branch and adds Max-Forwards 70 when absent.
    /// Responses arrive as `.originatedResponse`, a timeout or transport error as `.originatedFailure`.
    public mutating func sendRequest(_ request: SIPMessage, to target: SIPTarget, origin: SIPRequestOrigin,
                                     now: SIPInstant) throws(SIPProxyRequestError)
        -> (client: SIPTransactionID, actions: [SIPProxyAction])
    {
        guard request.isRequest, request.method != .ack else { throw .notARequest }
        var message = request
        let hop = nextHop(for: message, target: target)
        guard let out = outboundListener(for: hop, preferred: target.local, inbound: nil) else { throw .noListener }
        originatedCounter += 1
        let branch = SIPBranchHash.originated(seed: configuration.instanceSeed, counter: originatedCounter)
        do {
            try message.pushVia(SIPVia(transport: out.transport.viaToken, host: out.sipHost, port: out.port,
                                       parameters: [SIPParameter(name: "branch", value: branch)]))
            if (try? message.maxForwards) == nil { try message.setMaxForwards(70) }
        } catch {
            throw .badMessage(error)
        }
        do {
            let (client, events) = try transactions.sendRequest(message, to: hop, local: out.socket, now: now)
            owners[client] = .originated(origin)
            return (client, handle(events, now: now))
        } catch {
            throw .transaction(error)
        }
    }
}

/// Why `SIPProxy.sendRequest` refused.
public enum SIPProxyRequestError: Error, Sendable, Equatable {
    /// A response or an ACK (which has no transaction).
    case notARequest
    /// No listener to send from.
    case noListener
    /// The request could not be edited (Via, Max-Forwards).
    case badMessage(SIPParseError)
    /// The transaction layer refused it (e.g. no CSeq).
    case transaction(SIPTransactionLayer.SendError)
}
