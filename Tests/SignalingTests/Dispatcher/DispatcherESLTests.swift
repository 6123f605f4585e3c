import Testing
@testable import Signaling

@Suite struct DispatcherESLTests {
    private func frames(_ text: String, chunk: Int = .max) throws -> [ESLFrame] {
        var parser = ESLFrameParser()
        var out: [ESLFrame] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + min(chunk, bytes.count))
            parser.append(bytes[index..<end])
            index = end
            while let frame = try parser.nextFrame() { out.append(frame) }
        }
        return out
    }

    @Test func parsesTheRealWireFormatInAnyChunking() throws {
        let body = "Event-Name: HEARTBEAT\nUp-Time: 0%20years%2C%200%20days\nIdle-CPU: 99.000000\n\n"
        let stream = "Content-Type: auth/request\n\n"
            + "Content-Type: command/reply\nReply-Text: +OK accepted\n\n"
            + "Content-Length: \(body.utf8.count)\nContent-Type: text/event-plain\n\n\(body)"
        for chunk in [1, 2, 7, 1000] {
            let parsed = try frames(stream, chunk: chunk)
            #expect(parsed.count == 3)
            #expect(parsed[0].contentType == "auth/request")
            #expect(parsed[1].replyText == "+OK accepted")
            #expect(parsed[2].contentType == "text/event-plain")
            let event = try ESLEvent(plain: parsed[2].body)
            #expect(event.name == "HEARTBEAT")
            #expect(event.header("up-time") == "0 years, 0 days")
            #expect(event.header("Idle-CPU") == "99.000000")
        }
    }

    @Test func acceptsCRLFAndEventsWithBodies() throws {
        let parsed = try frames("Content-Type: command/reply\r\nReply-Text: +OK\r\n\r\n")
        #expect(parsed.first?.replyText == "+OK")
        let event = try ESLEvent(plain: Array("Event-Name: CUSTOM\nContent-Length: 5\n\nhello".utf8))
        #expect(event.body == Array("hello".utf8))
    }

    @Test func urlDecodingIsLenientAndLeavesPlusAlone() {
        #expect(ESLURLCoding.decode(Array("a%20b%3Ac".utf8)) == "a b:c")
        #expect(ESLURLCoding.decode(Array("100%zz%4".utf8)) == "100%zz%4")
        #expect(ESLURLCoding.decode(Array("+OK".utf8)) == "+OK")
        #expect(ESLURLCoding.decode(Array(ESLURLCoding.encode("Sat, 28 Nov 2026 22:04:44 GMT").utf8))
            == "Sat, 28 Nov 2026 22:04:44 GMT")
    }

    @Test func badInputIsATypedErrorWithOffset() {
        var parser = ESLFrameParser()
        parser.append(Array("Content-Type: auth/request\n\nContent-Length: 12x\n\n".utf8))
        #expect(throws: ESLParseError(.badContentLength, at: 28)) {
            _ = try parser.nextFrame()
            _ = try parser.nextFrame()
        }
        var noColon = ESLFrameParser()
        noColon.append(Array("garbage\n\n".utf8))
        #expect(throws: ESLParseError(.malformedHeaderLine, at: 0)) { _ = try noColon.nextFrame() }
        var huge = ESLFrameParser()
        huge.append(Array("Content-Length: 99999999999\n\n".utf8))
        #expect(throws: ESLParseError(.bodyTooLarge, at: 0)) { _ = try huge.nextFrame() }
        #expect(throws: ESLParseError(.truncatedEventBody, at: 23)) {
            _ = try ESLEvent(plain: Array("Content-Length: 10\n\nabc".utf8))
        }
    }

    /// Runs client and fake server against each other until quiet; returns the client's non-send actions.
    private func converse(_ client: inout ESLClientState, _ server: inout FakeESLServer,
                          first: [UInt8]) -> [ESLClientAction]
    {
        var toClient = first
        var seen: [ESLClientAction] = []
        while !toClient.isEmpty {
            var toServer: [UInt8] = []
            for action in client.receive(toClient) {
                if case .send(let bytes) = action { toServer += bytes } else { seen.append(action) }
            }
            toClient = server.receive(toServer)
        }
        return seen
    }

    @Test func clientAuthenticatesSubscribesAndReadsHeartbeats() throws {
        var server = FakeESLServer(password: "s3cret")
        var client = ESLClientState(password: "s3cret")
        let actions = converse(&client, &server, first: server.greeting())
        #expect(actions == [.authenticated, .subscribed])
        #expect(client.phase == .subscribed)
        #expect(server.subscribed == ["HEARTBEAT"])

        let beat = try #require(server.heartbeat(sessionCount: 42, maxSessions: 1000, idleCPU: 87.5, hostname: "fs-a"))
        #expect(client.receive(beat) == [.heartbeat(FreeSWITCHHeartbeat(hostname: "fs-a", sessionCount: 42,
                                                                         maxSessions: 1000, idleCPU: 87.5,
                                                                         sessionsPerSecond: 30))])
        // exit → disconnect notice.
        let bye = server.disconnectNotice()
        let closing = client.receive(bye)
        #expect(closing.count == 1)
        if case .disconnected(let text) = closing.first { #expect(text.hasPrefix("Disconnected, goodbye.")) }
        #expect(client.phase == .closed)
    }

    @Test func wrongPasswordIsAnAuthFailure() {
        var server = FakeESLServer(password: "ClueCon")
        var client = ESLClientState(password: "wrong")
        let actions = converse(&client, &server, first: server.greeting())
        #expect(actions == [.authFailed("-ERR invalid")])
        #expect(client.phase == .closed)
        #expect(server.closed)
        #expect(client.connectionClosed().isEmpty)
    }

    @Test func rudeRejectionAndSocketCloseAreReported() {
        var client = ESLClientState(password: "x")
        let body = "Access Denied, go away.\n"
        let actions = client.receive(Array("Content-Type: text/rude-rejection\nContent-Length: \(body.utf8.count)\n\n\(body)".utf8))
        #expect(actions == [.authFailed(body)])
        var other = ESLClientState(password: "x")
        #expect(other.connectionClosed() == [.disconnected("connection closed")])
    }
}
