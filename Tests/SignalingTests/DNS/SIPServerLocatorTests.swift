import Testing
@testable import Signaling

/// The RFC 3263 chain with a fake clock: the test plays nameserver by answering each `.send`.
@Suite("SIP server locator (RFC 3263)")
struct SIPServerLocatorTests {
    static func farmZone() -> FakeDNSZone {
        var zone = FakeDNSZone()
        zone.add("farm.test", .naptr(order: 10, preference: 10, flags: Array("S".utf8), services: Array("SIP+D2T".utf8),
                                     regexp: [], replacement: DNSName("_sip._tcp.farm.test")!))
        zone.add("farm.test", .naptr(order: 5, preference: 10, flags: Array("s".utf8), services: Array("SIP+D2U".utf8),
                                     regexp: [], replacement: DNSName("_sip._udp.farm.test")!))
        zone.add("_sip._udp.farm.test", ttl: 30, .srv(priority: 20, weight: 0, port: 5070, target: DNSName("box2.farm.test")!))
        zone.add("_sip._udp.farm.test", ttl: 30, .srv(priority: 10, weight: 10, port: 5060, target: DNSName("box1.farm.test")!))
        zone.add("box1.farm.test", .a([10, 0, 0, 1]))
        zone.add("box2.farm.test", .a([10, 0, 0, 2]))
        zone.add("box2.farm.test", .aaaa([0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [2]))
        return zone
    }

    /// Answers every `.send` until the locator stops asking; returns the finished lookups.
    static func run(_ locator: inout SIPServerLocator, _ zone: inout FakeDNSZone, _ actions: [SIPLocatorAction], now: Int64)
        -> [SIPLocatorLookupID: [SIPLocatedTarget]]
    {
        var queue = actions
        var finished: [SIPLocatorLookupID: [SIPLocatedTarget]] = [:]
        var steps = 0
        while !queue.isEmpty, steps < 100 {
            steps += 1
            switch queue.removeFirst() {
            case .send(let datagram):
                if let reply = zone.answer(datagram) { queue += locator.receive(reply, now: now) }
            case .finished(let id, let targets):
                finished[id] = targets
            }
        }
        return finished
    }

    @Test func naptrSrvAddressChain() {
        var zone = Self.farmZone()
        var locator = SIPServerLocator(seed: 1)
        let (id, actions) = locator.locate(SIPLocatorRequest(host: "Farm.Test"), now: 0)
        let finished = Self.run(&locator, &zone, actions, now: 0)
        #expect(finished[id] == [
            SIPLocatedTarget(address: "10.0.0.1", port: 5060, transport: .udp),
            SIPLocatedTarget(address: "10.0.0.2", port: 5070, transport: .udp),
            SIPLocatedTarget(address: "2001:db8:0:0:0:0:0:2", port: 5070, transport: .udp),
        ])
        #expect(zone.asked.first == DNSQuestion(name: DNSName("farm.test")!, type: .naptr))
        #expect(zone.asked.contains(DNSQuestion(name: DNSName("_sip._udp.farm.test")!, type: .srv)))
        #expect(!zone.asked.contains(DNSQuestion(name: DNSName("_sip._tcp.farm.test")!, type: .srv)))
        #expect(locator.pendingLookups == 0)
    }

    @Test func cachedUntilTTLThenAskedAgain() {
        var zone = Self.farmZone()
        var locator = SIPServerLocator(seed: 1)
        let (_, first) = locator.locate(SIPLocatorRequest(host: "farm.test"), now: 0)
        _ = Self.run(&locator, &zone, first, now: 0)
        let askedOnce = zone.asked.count
        let (cachedID, cached) = locator.locate(SIPLocatorRequest(host: "farm.test"), now: 20_000)
        #expect(cached.count == 1)  // finished at once, no query
        if case .finished(let id, let targets) = cached.first { #expect(id == cachedID && targets.count == 3) }
        // The SRV set (TTL 30 s) expires first: only it is asked again.
        let (_, later) = locator.locate(SIPLocatorRequest(host: "farm.test"), now: 31_000)
        _ = Self.run(&locator, &zone, later, now: 31_000)
        #expect(Array(zone.asked.dropFirst(askedOnce)) == [DNSQuestion(name: DNSName("_sip._udp.farm.test")!, type: .srv)])
    }

    @Test func srvPriorityThenWeight() {
        let a = SRVEntry(priority: 10, weight: 0, port: 1, target: DNSName("a")!)
        let b = SRVEntry(priority: 10, weight: 100, port: 2, target: DNSName("b")!)
        let c = SRVEntry(priority: 5, weight: 1, port: 3, target: DNSName("c")!)
        let d = SRVEntry(priority: 30, weight: 7, port: 4, target: DNSName("d")!)
        var firstOfTen = [UInt16: Int]()
        for seed in 0..<400 {
            var random = SplitMix64Generator(seed: UInt64(seed))
            let ordered = SRVOrdering.order([d, a, b, c], using: &random)
            #expect(ordered.first == c)
            #expect(ordered.last == d)
            firstOfTen[ordered[1].port, default: 0] += 1
        }
        // Weight 100 against weight 0: the zero-weight entry goes first only when the draw is 0.
        #expect((firstOfTen[2] ?? 0) > 380)
    }

    @Test func explicitPortSkipsNaptrAndSrv() {
        var zone = Self.farmZone()
        var locator = SIPServerLocator(seed: 1)
        let (id, actions) = locator.locate(SIPLocatorRequest(host: "box2.farm.test", port: 5080, transport: .tcp), now: 0)
        let finished = Self.run(&locator, &zone, actions, now: 0)
        #expect(finished[id]?.map(\.description) == ["tcp://10.0.0.2:5080", "tcp://2001:db8:0:0:0:0:0:2:5080"])
        #expect(Set(zone.asked.map(\.type)) == [.a, .aaaa])
    }

    @Test func numericHostNeedsNoDNS() {
        var locator = SIPServerLocator(seed: 1)
        let (id, actions) = locator.locate(SIPLocatorRequest(host: "192.0.2.7"), now: 0)
        #expect(actions == [.finished(id, [SIPLocatedTarget(address: "192.0.2.7", port: 5060, transport: .udp)])])
        let (v6, v6Actions) = locator.locate(SIPLocatorRequest(host: "[2001:db8::1]", port: 5062), now: 0)
        #expect(v6Actions == [.finished(v6, [SIPLocatedTarget(address: "2001:db8::1", port: 5062, transport: .udp)])])
    }

    @Test func noNaptrFallsBackToSrvThenAddress() {
        var zone = FakeDNSZone()
        zone.add("plain.test", .a([192, 0, 2, 9]))
        var locator = SIPServerLocator(seed: 3)
        let (id, actions) = locator.locate(SIPLocatorRequest(host: "plain.test"), now: 0)
        let finished = Self.run(&locator, &zone, actions, now: 0)
        #expect(finished[id] == [SIPLocatedTarget(address: "192.0.2.9", port: 5060, transport: .udp)])
        #expect(zone.asked.contains(DNSQuestion(name: DNSName("_sip._tcp.plain.test")!, type: .srv)))
    }

    @Test func cnameIsFollowed() {
        // A recursive server answers the alias with the CNAME and the target's records together.
        var locator = SIPServerLocator(seed: 3)
        let (id, actions) = locator.locate(SIPLocatorRequest(host: "alias.test", port: 5060), now: 0)
        var queue = actions
        var result: [SIPLocatedTarget]?
        while !queue.isEmpty {
            switch queue.removeFirst() {
            case .send(let datagram):
                let query = try! DNSMessageDecoder.decode(datagram)
                let question = query.questions[0]
                let answers: [DNSRecord] = question.type == .a
                    ? [DNSRecord(name: question.name, ttl: 60, data: .cname(DNSName("real.test")!)),
                       DNSRecord(name: DNSName("real.test")!, ttl: 60, data: .a([192, 0, 2, 10]))]
                    : []
                let reply = DNSMessage(id: query.id, isResponse: true, questions: [question], answers: answers)
                queue += locator.receive(DNSMessageEncoder.encode(reply), now: 0)
            case .finished(let finishedID, let targets):
                #expect(finishedID == id)
                result = targets
            }
        }
        #expect(result == [SIPLocatedTarget(address: "192.0.2.10", port: 5060, transport: .udp)])
    }

    @Test func timeoutsRetryThenFail() {
        var settings = SIPLocatorSettings()
        settings.queryTimeoutMilliseconds = 500
        settings.attempts = 2
        settings.queryAAAA = false
        var locator = SIPServerLocator(settings: settings, seed: 9)
        let (id, first) = locator.locate(SIPLocatorRequest(host: "dead.test", port: 5060), now: 0)
        #expect(first.count == 1)
        #expect(locator.nextDeadline == 500)
        #expect(locator.advance(now: 499).isEmpty)
        let retry = locator.advance(now: 500)
        #expect(retry == first)  // the same datagram again
        let end = locator.advance(now: 1000)
        #expect(end == [.finished(id, [])])
        #expect(locator.queryTimeouts == 1 && locator.failedLookups == 1)
        #expect(locator.nextDeadline == nil)
        // The failure is cached briefly, then asked again.
        let (again, cachedFailure) = locator.locate(SIPLocatorRequest(host: "dead.test", port: 5060), now: 2000)
        #expect(cachedFailure == [.finished(again, [])])
        let (_, fresh) = locator.locate(SIPLocatorRequest(host: "dead.test", port: 5060), now: 7000)
        #expect(fresh.count == 1)
    }

    @Test func nxdomainIsNegativelyCachedAndMismatchedAnswersIgnored() {
        var zone = FakeDNSZone()
        var locator = SIPServerLocator(seed: 5)
        let (id, actions) = locator.locate(SIPLocatorRequest(host: "nowhere.test"), now: 0)
        guard case .send(let datagram) = actions.first else {
            Issue.record("no query")
            return
        }
        // Wrong id: ignored.
        var forged = zone.answer(datagram)!
        forged[0] ^= 0xFF
        #expect(locator.receive(forged, now: 0).isEmpty)
        #expect(locator.receive([1, 2, 3], now: 0).isEmpty)
        let finished = Self.run(&locator, &zone, actions, now: 0)
        #expect(finished[id] == [])
        let asked = zone.asked.count
        let (again, cached) = locator.locate(SIPLocatorRequest(host: "nowhere.test"), now: 1000)
        #expect(cached == [.finished(again, [])])
        #expect(zone.asked.count == asked)
    }
}
