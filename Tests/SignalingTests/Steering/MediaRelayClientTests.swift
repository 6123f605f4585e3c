import Relay
import Testing
@testable import Signaling

@Suite("MediaRelayClient")
struct MediaRelayClientTests {
    static let two = [MediaRelay(host: "10.0.0.1", port: 2223), MediaRelay(host: "10.0.0.2", port: 2223)]

    /// A client whose ping round is far away (so tests see only their own requests).
    func client(_ relays: [MediaRelay] = two, seed: UInt64 = 7) -> MediaRelayClient {
        var settings = MediaRelayClientSettings()
        settings.pingIntervalMilliseconds = 60_000
        var client = MediaRelayClient(relays: relays, settings: settings, now: SIPInstant(milliseconds: 0), seed: seed)
        // Consume the first ping round at t=0 and answer it.
        for case .transmit(let bytes, let relay) in client.advance(to: SIPInstant(milliseconds: 0)) {
            _ = client.receive(reply(to: bytes, ["result": .text("pong")]), from: relay, now: SIPInstant(milliseconds: 1))
        }
        return client
    }

    func transmits(_ actions: [MediaRelayClientAction]) -> [([UInt8], Int)] {
        actions.compactMap { if case .transmit(let b, let r) = $0 { return (b, r) } else { return nil } }
    }

    func reply(to bytes: [UInt8], _ dictionary: NGDictionary) -> [UInt8] {
        let cookie = NGMessage.cookie(of: bytes) ?? []
        return NGMessage.encode(cookie: cookie, encoding: .bencode, dictionary: dictionary)
    }

    @Test func offerIsBencodeWithCookieAndTheKeysAProxySends() throws {
        var request = MediaRelayRequest(command: .offer, callID: "c1", fromTag: "ft", sdp: Array("v=0\r\n".utf8),
                                        flags: ["SIP-source-address", "symmetric"], replace: ["origin", "session-connection"])
        request.receivedFrom = ("IP4", "203.0.113.9")
        var client = client()
        let sent = transmits(client.send(request, token: 1, now: SIPInstant(milliseconds: 10)))
        #expect(sent.count == 1)
        let message = try NGMessage(decoding: sent[0].0)
        #expect(message.encoding == .bencode)
        #expect(!message.cookie.isEmpty)
        #expect(message.dictionary["command"]?.stringValue == "offer")
        #expect(message.dictionary["call-id"]?.stringValue == "c1")
        #expect(message.dictionary["from-tag"]?.stringValue == "ft")
        #expect(message.dictionary["flags"]?.listValue?.compactMap(\.stringValue) == ["SIP-source-address", "symmetric"])
        #expect(message.dictionary["replace"]?.listValue?.compactMap(\.stringValue) == ["origin", "session-connection"])
        #expect(message.dictionary["received-from"]?.listValue?.compactMap(\.stringValue) == ["IP4", "203.0.113.9"])
        #expect(message.dictionary["sdp"]?.stringValue == "v=0\r\n")
    }

    @Test func retransmitsWithTheSameCookieThenFailsOverToTheOtherRelay() throws {
        var client = client()
        let first = transmits(client.send(MediaRelayRequest(command: .offer, callID: "c1", fromTag: "a", sdp: [0x76]), token: 9,
                                          now: SIPInstant(milliseconds: 10)))
        let firstRelay = first[0].1
        let cookie = NGMessage.cookie(of: first[0].0)
        var copies = 1
        var now: Int64 = 10
        var moved: ([UInt8], Int)?
        while moved == nil, now < 5000 {
            now += 500
            for (bytes, relay) in transmits(client.advance(to: SIPInstant(milliseconds: now))) {
                #expect(NGMessage.cookie(of: bytes) == cookie, "a retransmission or failover must reuse the cookie")
                if relay == firstRelay { copies += 1 } else { moved = (bytes, relay) }
            }
        }
        #expect(copies == 3)
        let (bytes, other) = try #require(moved)
        #expect(other != firstRelay)
        // A late reply from the relay given up on is ignored; the other relay's answer completes it and pins the call.
        #expect(client.receive(reply(to: bytes, ["result": .text("ok"), "sdp": .text("x")]), from: firstRelay,
                               now: SIPInstant(milliseconds: now)).isEmpty)
        let done = client.receive(reply(to: bytes, ["result": .text("ok"), "sdp": .text("x")]), from: other, now: SIPInstant(milliseconds: now))
        guard case .completed(9, .reply(let dictionary, let relay)) = done.last else {
            Issue.record("no completion: \(done)")
            return
        }
        #expect(relay == other)
        #expect(dictionary["sdp"]?.stringValue == "x")
        #expect(client.callRelays["c1"] == other)
        #expect(client.requestCounts[MediaRelayRequestKey(command: .offer, result: "ok")] == 1)
    }

    @Test func aPinnedCallStaysOnItsRelayAndTimesOutThere() {
        var client = client()
        client.pin(callID: "c2", to: 1)
        let sent = transmits(client.send(MediaRelayRequest(command: .answer, callID: "c2", fromTag: "a", toTag: "b"), token: 4,
                                         now: SIPInstant(milliseconds: 10)))
        #expect(sent.map(\.1) == [1])
        var completion: MediaRelayOutcome?
        var now: Int64 = 10
        while completion == nil, now < 5000 {
            now += 500
            for action in client.advance(to: SIPInstant(milliseconds: now)) {
                if case .transmit(_, let relay) = action { #expect(relay == 1) }
                if case .completed(4, let outcome) = action { completion = outcome }
            }
        }
        guard case .failed(.timedOut) = completion else {
            Issue.record("expected a timeout, got \(String(describing: completion))")
            return
        }
    }

    @Test func errorRepliesCompleteAsErrors() {
        var client = client()
        let sent = transmits(client.send(MediaRelayRequest(command: .answer, callID: "c3", fromTag: "a", toTag: "b"), token: 5,
                                         now: SIPInstant(milliseconds: 10)))
        let done = client.receive(reply(to: sent[0].0, ["result": .text("error"), "error-reason": .text("Unknown call-id")]),
                                  from: sent[0].1, now: SIPInstant(milliseconds: 20))
        guard case .completed(5, .failed(.errorReply(let reason))) = done.last else {
            Issue.record("\(done)")
            return
        }
        #expect(reason == "Unknown call-id")
    }

    @Test func pingsTakeASilentRelayDownAndBringItBack() {
        var settings = MediaRelayClientSettings()
        settings.pingIntervalMilliseconds = 1000
        settings.pingTimeoutMilliseconds = 300
        settings.failuresToDown = 2
        settings.successesToUp = 2
        var client = MediaRelayClient(relays: Self.two, settings: settings, now: SIPInstant(milliseconds: 0), seed: 1)
        var changes: [(Int, MediaRelayHealth.State)] = []
        var now: Int64 = 0
        func run(until end: Int64, relay1Answers: Bool) {
            while now < end {
                for action in client.advance(to: SIPInstant(milliseconds: now)) {
                    switch action {
                    case .transmit(let bytes, let relay):
                        // Only pings are answered here (the offers below stay unanswered on purpose).
                        let m = try? NGMessage(decoding: bytes)
                        if m?.dictionary["command"]?.stringValue == "ping", relay == 0 || relay1Answers {
                            for change in client.receive(reply(to: bytes, ["result": .text("pong")]), from: relay,
                                                         now: SIPInstant(milliseconds: now)) {
                                if case .relayStateChanged(let r, let s) = change { changes.append((r, s)) }
                            }
                        }
                    case .relayStateChanged(let r, let s): changes.append((r, s))
                    case .completed: break
                    }
                }
                now += 100
            }
        }
        run(until: 2500, relay1Answers: false)
        #expect(client.health[1].state == .down)
        #expect(client.health[0].state == .up)
        // New calls go to relay 0 only while relay 1 is down.
        for token in 0..<20 {
            let sent = transmits(client.send(MediaRelayRequest(command: .offer, callID: "n\(token)", sdp: [1]), token: UInt64(token),
                                             now: SIPInstant(milliseconds: now)))
            #expect(sent.first?.1 == 0)
        }
        run(until: 5000, relay1Answers: true)
        #expect(client.health[1].state == .up)
        // (Relay 0 may go down too: the offers above were left unanswered, which counts against it.)
        #expect(changes.filter { $0.0 == 1 }.map(\.1) == [.down, .up])
    }

    @Test func newCallsAreSpreadByWeight() {
        var relays = Self.two
        relays[0].weight = 3
        relays[1].weight = 1
        var client = client(relays, seed: 42)
        var counts = [0, 0]
        for token in 0..<4000 {
            let sent = transmits(client.send(MediaRelayRequest(command: .offer, callID: "w\(token)", sdp: [1]), token: UInt64(token),
                                             now: SIPInstant(milliseconds: 10)))
            counts[sent[0].1] += 1
        }
        let share = Double(counts[0]) / 4000
        #expect(share > 0.70 && share < 0.80, "weight 3:1 gave \(counts)")
    }

    @Test func noRelaysMeansImmediateFailure() {
        var client = MediaRelayClient(relays: [], now: SIPInstant(milliseconds: 0))
        let actions = client.send(MediaRelayRequest(command: .offer, callID: "x"), token: 3, now: SIPInstant(milliseconds: 0))
        guard case .completed(3, .failed(.noRelayAvailable)) = actions.first else {
            Issue.record("\(actions)")
            return
        }
        #expect(client.nextDeadline == nil)
    }
}
