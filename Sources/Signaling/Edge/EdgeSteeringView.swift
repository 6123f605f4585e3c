/// Media steering as the admin API (`GET /relays`) and `/metrics` show it.
struct EdgeRelaysView: Encodable {
    struct Relay: Encodable {
        var address: String
        var weight: Int
        var state: String
        var consecutiveFailures: Int
        var successes: UInt64
        var failures: UInt64
        var calls: Int
    }

    var enabled: Bool
    var policy: String?
    var relays: [Relay]
    var steeredCalls: Int
    var heldCalls: Int
    var pendingRequests: Int

    init(_ core: EdgeCore) {
        guard let state = core.steering else {
            enabled = false
            policy = nil
            relays = []
            steeredCalls = 0
            heldCalls = 0
            pendingRequests = 0
            return
        }
        enabled = true
        policy = state.steering.settings.policy.rawValue
        let pins = state.client.callRelays.values.reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
        relays = state.client.relays.indices.map { index in
            let relay = state.client.relays[index], health = state.client.health[index]
            return Relay(address: relay.description, weight: relay.weight, state: health.state.rawValue,
                         consecutiveFailures: health.consecutiveFailures, successes: health.totalSuccesses,
                         failures: health.totalFailures, calls: pins[index] ?? 0)
        }
        steeredCalls = state.steering.callCount
        heldCalls = state.held.count
        pendingRequests = state.client.pendingCount
    }
}

/// Prometheus lines for media steering (appended to the edge's `/metrics`; empty when steering is off).
enum EdgeSteeringMetrics {
    static func render(_ core: EdgeCore) -> String {
        guard let state = core.steering else { return "" }
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, value) in samples { out += "\(name)\(labels) \(value)\n" }
        }
        var requests: [(String, String)] = []
        for command in MediaRelayCommand.allCases {
            for result in ["ok", "error", "timeout", "no_relay"] {
                let value = state.client.requestCounts[MediaRelayRequestKey(command: command, result: result)] ?? 0
                requests.append(("{command=\"\(command.rawValue)\",result=\"\(result)\"}", "\(value)"))
            }
        }
        metric("tandem_media_ng_requests_total", "counter", "ng requests to the relays by command and result.", requests)
        metric("tandem_media_relay_up", "gauge", "1 when the relay takes new calls (ng ping health).",
               state.client.relays.indices.map {
                   ("{relay=\"\(state.client.relays[$0])\"}", state.client.health[$0].state == .up ? "1" : "0")
               })
        let counters = state.steering.counters
        metric("tandem_media_calls_steered_total", "counter", "Calls whose first offer a relay answered.", [("", "\(counters.callsSteered)")])
        metric("tandem_media_forwarded_unsteered_total", "counter", "SDP messages forwarded unchanged: no relay answered.",
               [("", "\(counters.forwardedUnsteered)")])
        metric("tandem_media_dialog_timeouts_total", "counter", "Relay sessions deleted because the dialog timed out.",
               [("", "\(counters.dialogTimeouts)")])
        metric("tandem_media_calls", "gauge", "Calls tracked by media steering.", [("", "\(state.steering.callCount)")])
        metric("tandem_media_queue_drops_total", "counter", "Messages dropped while their call waited for the relay.",
               [("", "\(state.queueDrops)")])
        return out
    }
}
