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

    static func servedAtEdge(method: SIPMethod, inDialog: Bool) -> Bool {
        switch method {
        case .subscribe, .publish: return true
        case .message: return !inDialog
        default: return false
        }
    }
}
