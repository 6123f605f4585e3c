/// Wraps the edge's router so SUBSCRIBE, PUBLISH and out-of-dialog MESSAGE from clients are
/// answered at the edge (`.local`) and never reach the farm ("all pure signalling belongs to the
/// proxy"). Requests from the farm keep their normal routing: a MESSAGE FreeSWITCH sends to a
/// phone is forked to its bindings like any other request. In-dialog MESSAGEs (inside a call)
/// follow their dialog.
struct EdgePresenceRouter: SIPProxyRouter {
    var inner: any SIPProxyRouter
    var isFarm: (SIPPeer) -> Bool

    mutating func route(_ request: SIPRoutingRequest) -> SIPRoutingDecision {
        if Self.servedAtEdge(method: request.method, inDialog: request.isInDialog), !isFarm(request.source) {
            return .local
        }
        return inner.route(request)
    }

    /// The wrapped router's answer: without this the protocol's default (false) hid the edge
    /// router's stateless REGISTERs whenever presence was on, and every REGISTER got a server
    /// transaction again (32 s of timer J each). The methods served here are never stateless.
    func answersStatelessly(_ request: SIPMessage, source: SIPPeer) -> Bool {
        guard let method = request.method, !Self.servedAtEdge(method: method, inDialog: false) else { return false }
        return inner.answersStatelessly(request, source: source)
    }

    static func servedAtEdge(method: SIPMethod, inDialog: Bool) -> Bool {
        switch method {
        case .subscribe, .publish: return true
        case .message: return !inDialog
        default: return false
        }
    }
}
