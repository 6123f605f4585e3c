import Foundation
import Glibc
import Testing
@testable import Relay

/// ng over a real UDP socket to an in-process relay: replies, errors, duplicates, port exhaustion.
///
/// Tests that bind media ports or move packets run on both data plane engines (`RelayMediaTests.engines`), as the
/// issue asks ("both engines run the same test suite"); pure control exchanges (ping, unknown-call delete) run once,
/// since no engine code is on their path.
@Suite struct RelayNGTests {
    @Test func pingAnswersPongInBothEncodings() throws {
        let relay = try RelayUnderTest()
        let reply = try relay.request(["command": .text("ping")])
        #expect(reply["result"]?.stringValue == "pong")
        let json = relay.exchange(Array("j1 {\"command\":\"ping\"}".utf8))
        #expect(json.map { String(decoding: $0, as: UTF8.self) } == "j1 {\"result\":\"pong\"}")
    }

    @Test(arguments: RelayMediaTests.engines) func listensOnIPv6AndServesIPv6Media(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine) {
            $0.listenNG = ["127.0.0.1:0", "[::1]:0"]
            $0.interfaces = ["v6/::1"]
        }
        #expect(relay.server.ngEndpoints.count == 2)
        let client = try DataPlaneTestClient("::1")
        let ping = NGMessage(cookie: Array("six".utf8), encoding: .bencode, dictionary: ["command": .text("ping")])
        client.send(ping.encoded(), to: relay.server.ngEndpoints[1])
        #expect(client.receive(timeoutMs: 2000).map { String(decoding: $0.payload, as: UTF8.self) } == "six d6:result4:ponge")
        // Real IPv6 media through the engine under test, both ways.
        let phoneA = try DataPlaneTestClient("::1")
        let phoneB = try DataPlaneTestClient("::1")
        let offer = try relay.offer(callID: "v6", fromTag: "f", sdp: RelaySDP.audio(port: phoneA.endpoint.port,
                                                                                     address: "::1").replacingIP4())
        #expect(RelaySDP.text(offer).contains("c=IN IP6 ::1\r\n"))
        let answer = try relay.answer(callID: "v6", fromTag: "f", toTag: "t",
                                      sdp: RelaySDP.audio(port: phoneB.endpoint.port, address: "::1").replacingIP4())
        guard let toRelayB = RelaySDP.endpoint(in: offer), let toRelayA = RelaySDP.endpoint(in: answer) else {
            Issue.record("no relay endpoints in \(offer) / \(answer)")
            return
        }
        phoneA.send(DataPlaneHarness.payload(1, 0), to: toRelayA)
        #expect(phoneB.receive(count: 1).first?.from == toRelayB)
        phoneB.send(DataPlaneHarness.payload(2, 0), to: toRelayB)
        #expect(phoneA.receive(count: 1).first?.from == toRelayA)
    }

    @Test(arguments: RelayMediaTests.engines) func offerAndAnswerRewriteSDPWithRelayPorts(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine)
        let call = try RelayCallUnderTest(relay, callID: "rewrite")
        #expect(call.offerReply["result"]?.stringValue == "ok")
        #expect(call.answerReply["result"]?.stringValue == "ok")
        for endpoint in [call.toRelayA, call.toRelayB] {
            #expect((relay.portMin...relay.portMax).contains(Int(endpoint.port)))
            #expect(endpoint.description.hasPrefix("127.0.0.1:"))
        }
        #expect(call.toRelayA.port != call.toRelayB.port)
        let offered = RelaySDP.text(call.offerReply)
        #expect(offered.contains("a=rtcp:\(call.toRelayB.port + 1)\r\n"))
        #expect(offered.contains("a=rtpmap:8 PCMA/8000\r\n"))
        #expect(offered.contains("o=- 1545997027 1 IN IP4 127.0.0.1\r\n"))
    }

    @Test(arguments: RelayMediaTests.engines)
    func duplicateCookieGetsTheCachedReplyAndAllocatesNothing(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine)
        let client = try DataPlaneTestClient("127.0.0.1")
        let request: NGDictionary = ["command": .text("offer"), "call-id": .text("dup"), "from-tag": .text("f"),
                                     "sdp": .text(RelaySDP.audio(port: client.endpoint.port))]
        let bytes = NGMessage(cookie: Array("same-cookie".utf8), encoding: .bencode, dictionary: request).encoded()
        let first = relay.exchange(bytes)
        let second = relay.exchange(bytes)
        #expect(first != nil)
        #expect(first == second)
        let statistics = try relay.request(["command": .text("statistics")])
        #expect(statistics.value("currentstatistics", "sessionsown")?.integerValue == 1)
        let used = statistics["interfaces"]?.listValue?.first?.dictValue?["used"]?.integerValue
        #expect(used == 4)
        #expect(statistics["ng duplicates"]?.integerValue == 1)
    }

    @Test(arguments: RelayMediaTests.engines) func errorsAreRepliedAndTheRelayKeepsServing(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine)
        let unknownCall = try relay.answer(callID: "nope", fromTag: "a", toTag: "b", sdp: RelaySDP.audio(port: 4000))
        #expect(unknownCall["result"]?.stringValue == "error")
        #expect(unknownCall["error-reason"]?.stringValue == "Unknown call-id")

        let unknownCommand = try relay.request(["command": .text("frobnicate")])
        #expect(unknownCommand["result"]?.stringValue == "error")
        #expect(unknownCommand["error-reason"]?.stringValue == "Unrecognized command")

        let garbage = relay.exchange(Array("g1 d7:command4:pin".utf8))
        #expect(garbage.map { String(decoding: $0, as: UTF8.self) }
            == "g1 d6:result5:error12:error-reason35:Could not decode bencode dictionarye")
        let badJSON = relay.exchange(Array("g2 {\"command\": ping}".utf8))
        #expect(badJSON.map { String(decoding: $0, as: UTF8.self) }
            == "g2 {\"result\":\"error\",\"error-reason\":\"Failed to parse JSON document\"}")

        let badSDP = try relay.offer(callID: "bad-sdp", fromTag: "f", sdp: "this is not sdp")
        #expect(badSDP["error-reason"]?.stringValue == "Failed to parse SDP")
        let missing = try relay.request(["command": .text("offer"), "call-id": .text("x")])
        #expect(missing["error-reason"]?.stringValue == "No SDP body in message")

        var oversized = Array("big d7:command4:ping3:pad".utf8)
        let padding = 65000
        oversized += Array("\(padding):".utf8) + [UInt8](repeating: 0x61, count: padding) + [0x65]
        let tooLarge = relay.exchange(oversized)
        #expect(tooLarge.map { String(decoding: $0, as: UTF8.self) }
            == "big d6:result5:error12:error-reason17:Message too largee")

        #expect(try relay.request(["command": .text("ping")])["result"]?.stringValue == "pong")
        let metrics = relay.server.currentMetrics()
        #expect(metrics.commands.malformed == 3)
        #expect(metrics.commands.replies(command: "unknown", result: "error") == 4)
    }

    @Test(arguments: RelayMediaTests.engines) func runningOutOfPortsAndRecovering(engine: IOEngineKind) throws {
        // 4 ports = one call (two RTP/RTCP pairs).
        let relay = try RelayUnderTest(engine: engine, ports: 4)
        let first = try relay.offer(callID: "one", fromTag: "f1", sdp: RelaySDP.audio(port: 5000))
        #expect(first["result"]?.stringValue == "ok")
        let second = try relay.offer(callID: "two", fromTag: "f2", sdp: RelaySDP.audio(port: 5002))
        #expect(second["result"]?.stringValue == "error")
        #expect(second["error-reason"]?.stringValue == "Ran out of ports")
        let deleted = try relay.request(["command": .text("delete"), "call-id": .text("one"), "delete-delay": .int(0)])
        #expect(deleted["result"]?.stringValue == "ok")
        let third = try relay.offer(callID: "three", fromTag: "f3", sdp: RelaySDP.audio(port: 5004))
        #expect(third["result"]?.stringValue == "ok")
        // The very same ports are bound again (the deleted call's sockets were closed).
        #expect(RelaySDP.endpoint(in: third)?.port == RelaySDP.endpoint(in: first)?.port
            || (relay.portMin...relay.portMax).contains(Int(RelaySDP.endpoint(in: third)?.port ?? 0)))
        #expect(try relay.list() == ["three"])
    }

    @Test func deleteOfUnknownCallWarnsUnlessFatal() throws {
        let relay = try RelayUnderTest()
        let warning = try relay.request(["command": .text("delete"), "call-id": .text("ghost")])
        #expect(warning["result"]?.stringValue == "ok")
        #expect(warning["warning"]?.stringValue == "Call-ID not found or tags didn't match")
        let fatal = try relay.request(["command": .text("delete"), "call-id": .text("ghost"),
                                       "flags": .list([.text("fatal")])])
        #expect(fatal["result"]?.stringValue == "error")
    }

    @Test(arguments: RelayMediaTests.engines) func metricsEndpointServesPrometheusText(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine)
        _ = try relay.request(["command": .text("ping")])
        guard let endpoint = relay.server.metricsEndpoint else { Issue.record("no metrics"); return }
        let text = try RelayHTTP.get("/metrics", from: endpoint)
        #expect(text.hasPrefix("HTTP/1.0 200 OK\r\n"))
        #expect(text.contains("# TYPE tandem_relay_calls gauge\ntandem_relay_calls 0\n"))
        #expect(text.contains("tandem_relay_ng_commands_total{command=\"ping\",result=\"pong\"} 1\n"))
        #expect(text.contains("tandem_relay_io_engine{engine=\"\(engine)\"} 1\n"))
        #expect(text.contains("tandem_relay_drops_total{reason=\"bleed\"} 0\n"))
        #expect(try RelayHTTP.get("/other", from: endpoint).hasPrefix("HTTP/1.0 404"))
    }
}

enum RelayHTTP {
    static func get(_ path: String, from endpoint: SocketEndpoint) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var raw = endpoint.raw
        let connected = withUnsafePointer(to: &raw.sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(raw.len)) }
        }
        guard connected == 0 else { throw RelayTestError.noReply }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: x\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        return String(decoding: response, as: UTF8.self)
    }
}

extension String {
    /// `IN IP4` → `IN IP6` (for IPv6 SDP built from the IPv4 template).
    func replacingIP4() -> String {
        var out = ""
        var rest = Substring(self)
        while let range = rest.range(of: "IN IP4") {
            out += rest[..<range.lowerBound] + "IN IP6"
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
