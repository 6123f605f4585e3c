/// Prometheus text exposition of the edge: transactions by method and result class, bindings,
/// keepalive pings, parse errors, drops by reason (proxy core and edge glue), transport counters.
enum EdgeMetrics {
    static func render(_ core: EdgeCore) -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, value) in samples { out += "\(name)\(labels) \(value)\n" }
        }
        let proxy = core.proxy.counters
        let transactions = proxy.finalResponses.sorted { ($0.key.method.description, $0.key.statusClass) < ($1.key.method.description, $1.key.statusClass) }
        metric("tandem_sip_transactions_total", "counter", "Server transactions by method and final response class.",
               transactions.map { ("{method=\"\($0.key.method.description)\",result=\"\($0.key.statusClass)xx\"}", "\($0.value)") })
        metric("tandem_sip_client_timeouts_total", "counter", "Forwarded requests that got no final response.",
               proxy.clientTimeouts.sorted { $0.key.description < $1.key.description }
                   .map { ("{method=\"\($0.key.description)\"}", "\($0.value)") })
        metric("tandem_sip_parse_errors_total", "counter", "Messages that failed to parse or validate.", [("", "\(proxy.parseErrors)")])
        metric("tandem_sip_forwarded_requests_total", "counter", "Request branches sent.", [("", "\(proxy.forwardedRequests)")])
        var drops: [(String, String)] = SIPDropReason.allCases.map { ("{reason=\"\($0)\"}", "\(proxy.drops($0))") }
        drops += EdgeDropReason.allCases.map { ("{reason=\"\($0.rawValue)\"}", "\(core.counters.drops[$0] ?? 0)") }
        drops.append(("{reason=\"overload\"}", "\(proxy.overloadRejections)"))
        metric("tandem_sip_drops_total", "counter", "Messages dropped or refused, by reason.", drops)
        let registrar = core.registrar.counters
        metric("tandem_sip_bindings", "gauge", "Registered contacts.", [("", "\(registrar.bindings)")])
        metric("tandem_sip_registrations_total", "counter", "REGISTER outcomes.",
               RegistrationResult.allCases.map { ("{result=\"\($0.rawValue)\"}", "\(registrar.count($0))") })
        metric("tandem_sip_binding_removals_total", "counter", "Bindings removed, by reason.",
               BindingRemovalReason.allCases.map { ("{reason=\"\($0.rawValue)\"}", "\(registrar.count($0))") })
        let keepalive = core.keepalive.counters
        metric("tandem_sip_keepalive_pings_sent_total", "counter", "Keepalive OPTIONS sent.", [("", "\(keepalive.pingsSent)")])
        metric("tandem_sip_keepalive_pings_answered_total", "counter", "Keepalive pings answered.", [("", "\(keepalive.pingsAnswered)")])
        metric("tandem_sip_keepalive_pings_lost_total", "counter", "Keepalive pings unanswered.", [("", "\(keepalive.pingsLost)")])
        metric("tandem_sip_keepalive_tracked", "gauge", "Bindings kept alive.", [("", "\(keepalive.tracked)")])
        metric("tandem_sip_nat_contact_fixes_total", "counter", "Contacts rewritten to the packet source.",
               [("", "\(core.counters.natContactFixes)")])
        metric("tandem_sip_dns_failures_total", "counter", "Next-hop host names that resolved to nothing usable (RFC 3263).",
               [("", "\(core.counters.dnsFailures)")])
        metric("tandem_sip_dns_queries_total", "counter", "DNS queries sent, retransmissions included.",
               [("", "\(core.dns?.locator.queriesSent ?? 0)")])
        let boxes = core.dispatch.dispatcher.snapshot(now: EdgeClock.monotonicNow()).destinations
        metric("tandem_dispatcher_destination_state", "gauge", "1 for the state each dispatcher destination is in.",
               boxes.flatMap { box in
                   DestinationState.allCases.map { state in
                       ("{uri=\"\(box.id.rawValue)\",state=\"\(state.rawValue)\"}", box.state == state ? "1" : "0")
                   }
               })
        metric("tandem_dispatcher_active_calls", "gauge", "Calls tracked on each dispatcher destination.",
               boxes.map { ("{uri=\"\($0.id.rawValue)\"}", "\($0.activeCalls)") })
        if let transport = core.transport?.counters {
            metric("tandem_sip_datagrams_in_total", "counter", "UDP datagrams received.", [("", "\(transport.datagramsIn)")])
            metric("tandem_sip_datagrams_out_total", "counter", "UDP datagrams sent.", [("", "\(transport.datagramsOut)")])
            metric("tandem_sip_send_failures_total", "counter", "Sends that failed.", [("", "\(transport.sendFailures)")])
            metric("tandem_sip_udp_listener_reopens_total", "counter", "UDP sockets closed by a fatal send error and bound again.", [("", "\(transport.datagramListenerReopens)")])
            metric("tandem_sip_keepalive_twin_datagrams_total", "counter", "Datagrams through the keepalive twin sockets (pings out, replies in).",
                   [("{direction=\"in\"}", "\(transport.keepaliveTwinDatagramsIn)"), ("{direction=\"out\"}", "\(transport.keepaliveTwinDatagramsOut)")])
            metric("tandem_sip_keepalive_twin_failures_total", "counter", "Keepalive twin sockets the kernel refused (those listeners ping through the pipeline).", [("", "\(transport.keepaliveTwinFailures)")])
        }
        out += EdgeSteeringMetrics.render(core)
        out += EdgePresenceMetrics.render(core.presence)
        return out
    }
}
