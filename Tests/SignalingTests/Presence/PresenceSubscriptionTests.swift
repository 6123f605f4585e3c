import Testing
@testable import Signaling

@Suite struct PresenceSubscriptionTests {
    typealias F = PresenceFixture
    let t0 = SIPInstant(milliseconds: 1_000_000)

    func pidfContent(_ basic: String) -> EventContent {
        .document(contentType: "application/pidf+xml", body: Array(F.pidf(basic: basic).utf8))
    }

    @Test func subscribeAnswers200AndSendsImmediateNotifyWithState() throws {
        var table = SubscriptionTable()
        _ = table.stateChanged(F.aor("bob"), package: .presence, content: pidfContent("open"), now: t0)
        let actions = table.receiveSubscribe(F.subscribe(), from: F.phone, now: t0)
        let response = try #require(F.responses(actions).first)
        #expect(response.statusCode == 200)
        #expect(F.header(response, "Expires") == "600")
        let toTag = try #require(try response.to.tag)
        let notify = try #require(F.notifies(actions).first)
        #expect(notify.method == .notify)
        #expect(notify.requestURIText == "sip:alice@192.0.2.10:5060")
        #expect(F.header(notify, "Subscription-State") == "active;expires=600")
        #expect(F.header(notify, "Event") == "presence")
        #expect(F.header(notify, "Content-Type") == "application/pidf+xml")
        #expect(F.header(notify, "Route") == "<sip:edge.example.com;lr>")
        #expect(try notify.from.tag == toTag)
        #expect(try notify.to.tag == "w1")
        #expect(try notify.cseq.sequence == 1)
        #expect(F.bodyText(notify).contains("<basic>open</basic>"))
        if case .sendNotify(_, let peer, _) = actions.last { #expect(peer == F.phone) }
        #expect(table.count == 1)
    }

    @Test func refreshIsMatchedByDialogAndUnsubscribeTerminates() throws {
        var table = SubscriptionTable()
        let first = table.receiveSubscribe(F.subscribe(), from: F.phone, now: t0)
        let toTag = try #require(try F.responses(first).first?.to.tag)

        let refresh = table.receiveSubscribe(F.subscribe(expires: 300, toTag: toTag, cseq: 2), from: F.phone, now: t0 + 10_000)
        #expect(F.responses(refresh).first?.statusCode == 200)
        let n2 = try #require(F.notifies(refresh).first)
        #expect(F.header(n2, "Subscription-State") == "active;expires=300")
        #expect(try n2.cseq.sequence == 2)
        #expect(table.count == 1)

        let unknown = table.receiveSubscribe(F.subscribe(toTag: "nope", cseq: 3), from: F.phone, now: t0)
        #expect(F.responses(unknown).first?.statusCode == 481)

        let bye = table.receiveSubscribe(F.subscribe(expires: 0, toTag: toTag, cseq: 4), from: F.phone, now: t0 + 20_000)
        #expect(F.responses(bye).first?.statusCode == 200)
        #expect(F.header(try #require(F.notifies(bye).first), "Subscription-State") == "terminated;reason=timeout")
        #expect(F.expired(bye).count == 1)
        #expect(table.count == 0)
    }

    @Test func expiryEndsWithTimeoutNotify() throws {
        var table = SubscriptionTable()
        _ = table.receiveSubscribe(F.subscribe(expires: 60), from: F.phone, now: t0)
        #expect(table.nextDeadline == t0 + 60_000)
        let actions = table.advance(to: t0 + 60_000)
        #expect(F.header(try #require(F.notifies(actions).first), "Subscription-State") == "terminated;reason=timeout")
        #expect(F.expired(actions).count == 1)
        #expect(table.count == 0)
    }

    @Test func tooBriefIs423WithMinExpiresAndLongIsCapped() throws {
        var table = SubscriptionTable()
        let short = F.responses(table.receiveSubscribe(F.subscribe(expires: 10), from: F.phone, now: t0)).first
        #expect(short?.statusCode == 423)
        #expect(short.flatMap { F.header($0, "Min-Expires") } == "60")
        let long = F.responses(table.receiveSubscribe(F.subscribe(expires: 99_999, callID: "c2"), from: F.phone, now: t0)).first
        #expect(long.flatMap { F.header($0, "Expires") } == "3600")
    }

    @Test func unknownPackageIs489() {
        var table = SubscriptionTable()
        let r = F.responses(table.receiveSubscribe(F.subscribe(event: "conference"), from: F.phone, now: t0)).first
        #expect(r?.statusCode == 489)
        #expect(r?.values(named: "Allow-Events") == ["dialog", "presence"])
        let summary = F.responses(table.receiveSubscribe(F.subscribe(event: "message-summary"), from: F.phone, now: t0)).first
        #expect(summary?.statusCode == 489)
    }

    @Test func notify481Or408EndsSubscription() throws {
        var table = SubscriptionTable()
        let actions = table.receiveSubscribe(F.subscribe(), from: F.phone, now: t0)
        guard case .sendNotify(_, _, let id) = try #require(actions.last) else { Issue.record("no notify"); return }
        #expect(table.notifyResult(id, status: 200, now: t0).isEmpty)
        #expect(table.count == 1)
        #expect(F.expired(table.notifyResult(id, status: 481, now: t0)) == [id])
        #expect(table.count == 0)
    }

    @Test func crossDomainWatcherIsRefusedAndPendingPolicyHidesState() throws {
        var table = SubscriptionTable()
        let foreign = table.receiveSubscribe(F.subscribe(watcherDomain: "evil.example"), from: F.phone, now: t0)
        #expect(F.responses(foreign).first?.statusCode == 403)
        #expect(F.notifies(foreign).isEmpty)

        var settings = SubscriptionSettings()
        settings.authorize = { watcher, _, _ in watcher.user == "carol" ? .reject : .pending }
        var guarded = SubscriptionTable(settings: settings)
        #expect(F.responses(guarded.receiveSubscribe(F.subscribe(watcher: "carol"), from: F.phone, now: t0)).first?.statusCode == 403)
        let pending = guarded.receiveSubscribe(F.subscribe(), from: F.phone, now: t0)
        let n = try #require(F.notifies(pending).first)
        #expect(F.header(n, "Subscription-State") == "pending;expires=600")
        #expect(n.body.isEmpty)
        guard case .sendNotify(_, _, let id) = try #require(pending.last) else { return }
        let rejected = guarded.resolvePending(id, allow: false, now: t0)
        #expect(F.header(try #require(F.notifies(rejected).first), "Subscription-State") == "terminated;reason=rejected")
    }

    @Test func perWatcherLimit() {
        var settings = SubscriptionSettings()
        settings.maxSubscriptionsPerWatcher = 1
        var table = SubscriptionTable(settings: settings)
        #expect(F.responses(table.receiveSubscribe(F.subscribe(), from: F.phone, now: t0)).first?.statusCode == 200)
        #expect(F.responses(table.receiveSubscribe(F.subscribe(callID: "c2"), from: F.phone, now: t0)).first?.statusCode == 503)
    }

    @Test func rateLimitCoalescesToLatestState() throws {
        var table = SubscriptionTable()
        _ = table.receiveSubscribe(F.subscribe(), from: F.phone, now: t0)  // immediate NOTIFY at t0
        #expect(F.notifies(table.stateChanged(F.aor("bob"), package: .presence, content: pidfContent("closed"), now: t0 + 100)).isEmpty)
        #expect(F.notifies(table.stateChanged(F.aor("bob"), package: .presence, content: pidfContent("open"), now: t0 + 200)).isEmpty)
        #expect(table.nextDeadline == t0 + 1000)
        let sent = F.notifies(table.advance(to: t0 + 1000))
        #expect(sent.count == 1)
        #expect(F.bodyText(try #require(sent.first)).contains("<basic>open</basic>"))
        #expect(F.notifies(table.advance(to: t0 + 5000)).isEmpty)
        // Window open again: sent at once.
        #expect(F.notifies(table.stateChanged(F.aor("bob"), package: .presence, content: pidfContent("closed"), now: t0 + 5000)).count == 1)
    }

    @Test func dialogQueueKeepsTransitionsThatWouldVanish() throws {
        var tracker = DialogStateTracker()
        var table = SubscriptionTable()
        _ = table.receiveSubscribe(F.subscribe(event: "dialog"), from: F.phone, now: t0)
        var updates: [DialogInfoUpdate] = []
        updates += tracker.apply(.invite(callID: "c1", fromTag: "a", caller: F.aor("carol"), callee: F.aor("bob")), now: t0)
        updates += tracker.apply(.response(callID: "c1", toTag: "b", status: 180), now: t0)
        updates += tracker.apply(.cancel(callID: "c1"), now: t0)
        updates += tracker.apply(.invite(callID: "c2", fromTag: "x", caller: F.aor("dave"), callee: F.aor("bob")), now: t0)
        for u in updates where u.aor == F.aor("bob") {
            _ = table.stateChanged(u.aor, package: .dialog, content: .dialogInfo(u.document), now: t0 + 10)
        }
        var bodies: [String] = []
        var now = t0
        for _ in 0..<4 {
            now = now + 1000
            bodies += F.notifies(table.advance(to: now)).map(F.bodyText)
        }
        // trying/early/terminated of c1 coalesce into its "terminated"; c2's document (no c1) follows.
        #expect(bodies.count == 2)
        #expect(bodies.first?.contains("<state>terminated</state>") == true)
        #expect(bodies.first?.contains("version=\"1\"") == true)
        #expect(bodies.last?.contains("call-id=\"c2\"") == true)
        #expect(bodies.last?.contains("version=\"2\"") == true)
    }
}
