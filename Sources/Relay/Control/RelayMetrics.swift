/// What the Prometheus endpoint shows: published by the control thread (after every ng command and every clock
/// tick), read by the metrics thread. Data plane totals are read live at scrape time.
public struct RelayMetrics: Sendable {
    public var engine: IOEngineKind = .mmsg
    public var sessions: SessionStatistics?
    public var commands = NGCommandCounters()
    public var dataPlane = RelayCounters()
    public var kernel = KernelOffloadStatus()
    /// The ICE-lite agent's counters (`ICE: force` connectivity checks).
    public var ice = ICECheckCounters()

    public init() {}

    /// Prometheus text exposition format 0.0.4.
    public func prometheusText() -> String {
        var out = PrometheusTextWriter()
        out.gauge("tandem_relay_calls", "Calls held now (including those in their delete delay).",
                  Double(sessions?.currentCalls ?? 0))
        out.gauge("tandem_relay_streams", "Packet streams (RTP and RTCP, per side) held now.",
                  Double(sessions?.currentStreams ?? 0))
        out.counter("tandem_relay_calls_total", "Calls created.", Double(sessions?.totalCalls ?? 0))
        out.counter("tandem_relay_packets_received_total", "Datagrams received on stream sockets.",
                    Double(dataPlane.packetsReceived))
        out.counter("tandem_relay_bytes_received_total", "Bytes received on stream sockets.", Double(dataPlane.bytesReceived))
        out.counter("tandem_relay_packets_forwarded_total", "Datagrams sent to the other leg.",
                    Double(dataPlane.packetsForwarded))
        out.counter("tandem_relay_bytes_forwarded_total", "Bytes sent to the other leg.", Double(dataPlane.bytesForwarded))
        out.counter("tandem_relay_send_errors_total", "Failed sends.", Double(dataPlane.errors))
        out.header("tandem_relay_drops_total", "Datagrams not forwarded, by reason.", type: "counter")
        for reason in DropReason.allCases {
            out.sample("tandem_relay_drops_total", ["reason": RelayMetrics.name(reason)], Double(dataPlane.drops(reason)))
        }
        out.counter("tandem_relay_stun_diverted_total", "STUN messages taken out of the media path by the workers.",
                    Double(dataPlane.stunDiverted))
        out.counter("tandem_relay_stun_overflows_total", "STUN messages dropped because a worker's inbox was full.",
                    Double(dataPlane.stunOverflows))
        out.header("tandem_relay_ice_checks_total", "STUN messages handled by the ICE-lite agent, by outcome.",
                   type: "counter")
        for (outcome, value) in [("answered", ice.answered), ("no_credentials", ice.noCredentials),
                                 ("malformed", ice.malformed), ("not_request", ice.notRequest),
                                 ("bad_request", ice.badRequest), ("unknown_username", ice.unknownUsername),
                                 ("bad_integrity", ice.badIntegrity)] {
            out.sample("tandem_relay_ice_checks_total", ["outcome": outcome], Double(value))
        }
        out.counter("tandem_relay_ice_nominations_total", "Successful checks that carried USE-CANDIDATE.",
                    Double(ice.nominations))
        out.header("tandem_relay_ports_free", "Free relay ports per interface.", type: "gauge")
        for usage in sessions?.ports ?? [] {
            out.sample("tandem_relay_ports_free", ["interface": usage.name], Double(usage.free))
        }
        out.header("tandem_relay_ports_used", "Relay ports in use per interface.", type: "gauge")
        for usage in sessions?.ports ?? [] {
            out.sample("tandem_relay_ports_used", ["interface": usage.name], Double(usage.used))
        }
        out.header("tandem_relay_calls_ended_total", "Calls ended, by reason (regular = ng delete).", type: "counter")
        for reason in CallEndReason.allCases {
            out.sample("tandem_relay_calls_ended_total", ["reason": reason.rawValue],
                       Double(sessions?.endedCount(reason) ?? 0))
        }
        out.counter("tandem_relay_ran_out_of_ports_total", "Offers refused with 'Ran out of ports'.",
                    Double(sessions?.ranOutOfPorts ?? 0))
        out.header("tandem_relay_ng_commands_total", "ng replies by command and result.", type: "counter")
        for key in commands.replies.keys.sorted() {
            out.sample("tandem_relay_ng_commands_total", ["command": key.command, "result": key.result],
                       Double(commands.replies[key] ?? 0))
        }
        out.counter("tandem_relay_ng_malformed_total", "ng datagrams that did not decode.", Double(commands.malformed))
        out.counter("tandem_relay_ng_duplicates_total", "ng requests answered from the cookie cache.",
                    Double(commands.duplicates))
        out.header("tandem_relay_io_engine", "The data plane engine in use (1 for the active one).", type: "gauge")
        for kind in [IOEngineKind.uring, .mmsg] {
            out.sample("tandem_relay_io_engine", ["engine": kind.rawValue], kind == engine ? 1 : 0)
        }
        out.gauge("tandem_relay_kernel_active", "1 when established streams are offloaded to nftables.",
                  kernel.active ? 1 : 0)
        out.gauge("tandem_relay_kernel_offloaded_streams", "Stream directions the kernel forwards now.",
                  Double(kernel.offloadedStreams))
        out.counter("tandem_relay_kernel_packets_total", "Datagrams the kernel forwarded.", Double(kernel.packets))
        out.counter("tandem_relay_kernel_bytes_total", "IP bytes the kernel forwarded.", Double(kernel.bytes))
        out.counter("tandem_relay_kernel_install_errors_total", "Kernel install or remove batches that failed.",
                    Double(kernel.installErrors))
        if let error = kernel.lastInstallError {
            out.header("tandem_relay_kernel_last_install_error", "The last failed kernel batch (value 1).", type: "gauge")
            out.sample("tandem_relay_kernel_last_install_error", ["error": error], 1)
        }
        return out.text
    }

    static func name(_ reason: DropReason) -> String {
        switch reason {
        case .noDestination: return "no_destination"
        case .strictSource: return "strict_source"
        case .bleed: return "bleed"
        case .truncated: return "truncated"
        case .sendFailed: return "send_failed"
        case .streamGone: return "stream_gone"
        }
    }
}

/// Builds Prometheus text exposition (0.0.4): `# HELP`, `# TYPE`, then `name{label="value"} number` lines.
struct PrometheusTextWriter {
    var text = ""

    mutating func header(_ name: String, _ help: String, type: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func gauge(_ name: String, _ help: String, _ value: Double) {
        header(name, help, type: "gauge")
        sample(name, [:], value)
    }

    mutating func counter(_ name: String, _ help: String, _ value: Double) {
        header(name, help, type: "counter")
        sample(name, [:], value)
    }

    mutating func sample(_ name: String, _ labels: [String: String], _ value: Double) {
        text += name
        if !labels.isEmpty {
            let rendered = labels.keys.sorted().map { key in "\(key)=\"\(PrometheusTextWriter.escape(labels[key] ?? ""))\"" }
            text += "{" + rendered.joined(separator: ",") + "}"
        }
        text += " " + PrometheusTextWriter.format(value) + "\n"
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
