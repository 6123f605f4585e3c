import Foundation
import Testing
@testable import Signaling

/// Every RFC 4475 torture message the repo has, sent as-is over UDP from a real socket to a running edge (farm: a
/// loopback backend that answers whatever reaches it with 404). The in-memory proxy tests cover a handful of them;
/// this checks what a phone on the wire would see, the transport and the edge glue included:
/// - messages the RFC calls valid are processed: never a 400, and either proxied (the backend saw them) or answered
///   by the edge itself (200 to a REGISTER, 416/420/483 where those apply);
/// - malformed ones get a 400 when enough survives to address one (505 for the unknown version), else no answer and
///   the parse-error or drop counter of `/metrics` goes up; they never reach the backend;
/// - responses (bcast, unreason, noreason, and the malformed scalarlg/bigcode) are nobody's to answer: no reply;
/// - afterwards the edge still answers OPTIONS with 200 (also checked before each restart, see below).
/// `RFC4475_WIRE_TABLE=1` prints what each message got.
/// Responses follow RFC 3261 §18.2.2 (`received` + the Via's port), so each message is sent from 127.0.0.77 at the
/// port its top Via names. Host names the edge must resolve (in-dialog `wsinv`) go to a loopback DNS server with an
/// empty zone, so nothing leaves the machine.
@Suite("EdgeRFC4475Wire", .serialized, .timeLimit(.minutes(1)))
struct EdgeRFC4475WireTests {
    /// The RFC's invalid requests plus the application-level ones it wants rejected (§3.1.2, §3.3.1, §3.3.8, §3.3.9);
    /// `baddate` is not here: the RFC allows ignoring the Date (RFC4475InvalidMessageTests documents the choice).
    static let rejected: Set<String> = [
        "badinv01", "clerr", "ncl", "scalar02", "quotbal", "ltgtruri", "lwsruri", "lwsstart", "trws", "escruri",
        "regbadct", "badaspec", "baddn", "badvers", "mismatch01", "mismatch02", "insuf", "multi01", "mcl01",
    ]
    /// Responses: a proxy never answers one (scalarlg and bigcode are malformed ones: dropped and counted).
    static let responses: Set<String> = ["bcast", "unreason", "noreason", "scalarlg", "bigcode"]
    /// The edge's own answer where the RFC names one.
    /// `unksm2`: §3.3.4 — a registrar rejects it with 400 (its To is no SIP/SIPS AOR); proxies would forward it.
    static let expectedStatus: [String: Int] = ["zeromf": 483, "unkscm": 416, "bext01": 420, "unksm2": 400]

    struct Outcome: CustomStringConvertible {
        var statuses: [Int] = []
        var forwarded = false
        var countedBadInput = 0.0
        /// Branches the proxy sent (`tandem_sip_forwarded_requests_total`): a pre-loaded Route (mpart01) sends
        /// elsewhere than the backend.
        var branchesSent = 0.0
        var description: String {
            "statuses \(statuses), forwarded \(forwarded), counted \(countedBadInput), branches \(branchesSent)"
        }
    }

    @Test func everyTortureMessageOnTheWire() async throws {
        let backend = try TestUDPClient()
        let dns = try FakeDNSServer(zone: FakeDNSZone())
        defer { dns.stop() }
        func start() async throws -> EdgeServer {
            try await startTestEdge(farm: [backend.port]) {
                $0.dns.nameserver = "127.0.0.1:\(dns.port)"
                $0.dns.timeoutMilliseconds = 100
                $0.dns.attempts = 1
            }
        }
        var edge = try await start()
        // Several RFC 4475 messages share branch, sent-by and method (novelsc and unkscm): to the edge the second is a
        // retransmission of the first (§17.2.3) and gets the first one's answer again. Each is meant as a new
        // request, so the edge is restarted before a message whose transaction key was already used (after checking
        // that it still serves, as at the end).
        var transactionKeys: Set<String> = []
        var sockets: [Int: LoopbackAliasUDPSocket] = [:]
        var outcomes: [String: Outcome] = [:]
        for name in RFC4475Fixtures.all {
            let bytes = try RFC4475Fixtures.bytes(name)
            if let key = Self.transactionKey(bytes), !transactionKeys.insert(key).inserted {
                #expect(try Self.answersOptions(edge, tag: name), "edge stopped answering before \(name)")
                await edge.stop()
                edge = try await start()
                transactionKeys = [key]
            }
            let port = Self.viaPort(bytes)
            if sockets[port] == nil { sockets[port] = try LoopbackAliasUDPSocket(port: port) }
            let phone = try #require(sockets[port])
            phone.drain()
            let before = try Self.counters(edge)
            phone.send(bytes, toPort: edge.udpPort)
            outcomes[name] = Self.observe(phone: phone, backend: backend, edgePort: edge.udpPort, callID: Self.callID(bytes))
            let after = try Self.counters(edge)
            outcomes[name]?.countedBadInput = after.badInput - before.badInput
            outcomes[name]?.branchesSent = after.branches - before.branches
        }
        for name in RFC4475Fixtures.all {
            let outcome = try #require(outcomes[name])
            if ProcessInfo.processInfo.environment["RFC4475_WIRE_TABLE"] != nil { print("rfc4475 \(name): \(outcome)") }
            if Self.responses.contains(name) {
                #expect(outcome.statuses.isEmpty && !outcome.forwarded, "\(name): \(outcome)")
            } else if Self.rejected.contains(name) {
                let answered = !outcome.statuses.isEmpty && outcome.statuses.allSatisfy { $0 == 400 || $0 == 505 }
                let dropped = outcome.statuses.isEmpty && outcome.countedBadInput > 0
                #expect((answered || dropped) && !outcome.forwarded, "\(name): \(outcome)")
            } else if let status = Self.expectedStatus[name] {
                #expect(outcome.statuses.last == status, "\(name): \(outcome)")
            } else {
                let processed = outcome.forwarded || outcome.branchesSent > 0 || outcome.statuses.contains { $0 >= 200 }
                #expect(!outcome.statuses.contains(400) && processed,
                        "\(name): \(outcome)")
            }
        }
        // Still serving.
        #expect(try Self.answersOptions(edge, tag: "end"))
        await edge.stop()
    }

    /// An OPTIONS to the edge from a fresh socket gets its 200.
    static func answersOptions(_ edge: EdgeServer, tag: String) throws -> Bool {
        let monitor = try TestUDPClient()
        monitor.send(sipRequest([
            "OPTIONS sip:127.0.0.1:\(edge.udpPort) SIP/2.0",
            "Via: SIP/2.0/UDP 127.0.0.1:\(monitor.port);branch=z9hG4bKalive-\(tag);rport",
            "From: <sip:mon@example.com>;tag=m1", "To: <sip:127.0.0.1>", "Call-ID: alive-\(tag)", "CSeq: 1 OPTIONS",
            "Max-Forwards: 70",
        ]), toPort: edge.udpPort)
        let reply = receive(monitor, milliseconds: 2000) { headerValue($0, "Call-ID") == "alive-\(tag)" }
        return reply?.hasPrefix("SIP/2.0 200") == true
    }

    /// Waits up to 800 ms (less once a final response came) while the backend answers what reaches it with 404;
    /// only answers carrying the message's Call-ID (none when it has none) count (a late answer to an earlier one is
    /// not this one's).
    static func observe(phone: LoopbackAliasUDPSocket, backend: TestUDPClient, edgePort: Int, callID: String?) -> Outcome {
        var outcome = Outcome()
        let deadline = Date().addingTimeInterval(0.8)
        while Date() < deadline, !outcome.statuses.contains(where: { $0 >= 200 }) {
            if let (bytes, _) = backend.receive(milliseconds: 2) {
                let request = text(bytes)
                if let callID, headerValue(request, "Call-ID") == callID || headerValue(request, "i") == callID {
                    outcome.forwarded = true
                }
                if !request.hasPrefix("SIP/2.0"), !request.hasPrefix("ACK") {
                    backend.send(responseText(to: request, status: "404 Not Found"), toPort: edgePort)
                }
            }
            if let bytes = phone.receive(milliseconds: 3), let message = try? SIPMessage.parse(bytes),
               let status = message.statusCode, (try? message.callID) == callID
            {
                // Without a Call-ID of its own (insuf), only an answer without one counts: a late 404 to the
                // message before it, from the same port, is not this one's.
                outcome.statuses.append(status)
            }
        }
        return outcome
    }

    /// The port the top Via names (its transport's default when none: 5061 for TLS; 5060 when there is no Via):
    /// where a §18.2.2 answer goes.
    static func viaPort(_ bytes: [UInt8]) -> Int {
        let message = (try? SIPMessage.parse(bytes)) ?? SIPMessage.salvageForErrorResponse(bytes)
        guard let via = try? message?.topVia else { return 5060 }
        return via.port ?? (SIPPeerTransport(token: via.transport)?.defaultPort ?? 5060)
    }

    /// Top Via branch, sent-by host and method of a request that parses (what matches a server transaction).
    static func transactionKey(_ bytes: [UInt8]) -> String? {
        guard let message = try? SIPMessage.parse(bytes), message.isRequest, let via = try? message.topVia,
              let branch = via.branch
        else { return nil }
        return "\(branch)|\(via.host.address)|\(message.method.map { "\($0)" } ?? "")"
    }

    /// The Call-ID as text, found without the parser (for messages it rejects).
    static func callID(_ bytes: [UInt8]) -> String? {
        for line in text(bytes).components(separatedBy: "\r\n") {
            let lower = line.lowercased()
            guard lower.hasPrefix("call-id") || lower.hasPrefix("i:") || lower.hasPrefix("i :") else { continue }
            guard let colon = line.firstIndex(of: ":") else { continue }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// Parse errors plus drops of every reason, and branches sent, from `/metrics`.
    static func counters(_ edge: EdgeServer) throws -> (badInput: Double, branches: Double) {
        let (_, metrics) = try adminRequest(edge, "GET", "/metrics")
        func sum(_ prefixes: [String]) -> Double {
            metrics.split(separator: "\n").reduce(0) { sum, line in
                guard prefixes.contains(where: { line.hasPrefix($0) }) else { return sum }
                return sum + (line.split(separator: " ").last.flatMap { Double($0) } ?? 0)
            }
        }
        return (sum(["tandem_sip_parse_errors_total", "tandem_sip_drops_total{"]), sum(["tandem_sip_forwarded_requests_total"]))
    }
}
