import Testing
@testable import Signaling

@Suite struct PresencePublishTests {
    typealias F = PresenceFixture
    let t0 = SIPInstant(milliseconds: 5_000_000)

    @Test func createRefreshModifyRemove() throws {
        var store = PresenceStore()
        let created = store.receivePublish(F.publish(pidf: F.pidf(basic: "open")), now: t0)
        #expect(created.response?.statusCode == 200)
        #expect(created.changed == F.aor("bob"))
        let tag1 = try #require(created.response.flatMap { F.header($0, "SIP-ETag") })
        #expect(created.response.flatMap { F.header($0, "Expires") } == "3600")

        let refreshed = store.receivePublish(F.publish(etag: tag1, expires: 600, cseq: 2), now: t0 + 1000)
        #expect(refreshed.response?.statusCode == 200)
        #expect(refreshed.changed == nil)
        let tag2 = try #require(refreshed.response.flatMap { F.header($0, "SIP-ETag") })
        #expect(tag2 != tag1)
        #expect(store.nextDeadline == t0 + 1000 + 600_000)

        let stale = store.receivePublish(F.publish(etag: tag1, cseq: 3), now: t0 + 2000)
        #expect(stale.response?.statusCode == 412)

        let modified = store.receivePublish(F.publish(etag: tag2, pidf: F.pidf(basic: "closed", note: "Lunch"), cseq: 4), now: t0 + 3000)
        #expect(modified.response?.statusCode == 200)
        #expect(modified.changed == F.aor("bob"))
        #expect(store.document(for: F.aor("bob")).basic == .closed)
        #expect(store.document(for: F.aor("bob")).notes == ["Lunch"])
        let tag3 = try #require(modified.response.flatMap { F.header($0, "SIP-ETag") })

        let removed = store.receivePublish(F.publish(etag: tag3, expires: 0, cseq: 5), now: t0 + 4000)
        #expect(removed.response?.statusCode == 200)
        #expect(removed.changed == F.aor("bob"))
        #expect(store.publications(of: F.aor("bob")).isEmpty)
    }

    @Test func unknownEventIs489AndForeignPublisherIs403() {
        var store = PresenceStore()
        #expect(store.receivePublish(F.publish(pidf: F.pidf(), event: "dialog"), now: t0).response?.statusCode == 489)
        let forged = F.parse([
            "PUBLISH sip:bob@example.com SIP/2.0", "Via: SIP/2.0/UDP 192.0.2.20;branch=z9hG4bKx", "Max-Forwards: 70",
            "From: <sip:mallory@example.com>;tag=1", "To: <sip:bob@example.com>", "Call-ID: f", "CSeq: 1 PUBLISH",
            "Event: presence", "Content-Type: application/pidf+xml",
        ], body: F.pidf())
        #expect(store.receivePublish(forged, now: t0).response?.statusCode == 403)
    }

    @Test func expiryDropsPublication() {
        var store = PresenceStore()
        _ = store.receivePublish(F.publish(expires: 60, pidf: F.pidf()), now: t0)
        #expect(store.advance(to: t0 + 59_999).isEmpty)
        #expect(store.advance(to: t0 + 60_000) == [F.aor("bob")])
        // Nothing published any more: one closed tuple, so watchers show "offline".
        #expect(store.document(for: F.aor("bob")).tuples.map(\.basic) == [.closed])
        #expect(store.publications(of: F.aor("bob")).isEmpty)
    }

    @Test func twoPublishersCompose() throws {
        var store = PresenceStore()
        _ = store.receivePublish(F.publish(pidf: F.pidf(tuple: "desk", basic: "closed", activity: "away")), now: t0)
        _ = store.receivePublish(F.publish(pidf: F.pidf(tuple: "mobile", basic: "open", note: "On the road", activity: "busy"), cseq: 2), now: t0)
        let doc = store.document(for: F.aor("bob"))
        #expect(doc.tuples.map(\.id) == ["desk", "mobile"])
        #expect(doc.basic == .open)
        #expect(doc.activities == [.away, .busy])
        #expect(doc.notes == ["On the road"])
        // What watchers get reads back the same.
        guard case .document(_, let body) = store.content(for: F.aor("bob")) else { Issue.record("no body"); return }
        let reread = try PIDFDocument.parse(body)
        #expect(reread.tuples == doc.tuples)
        #expect(reread.activities == doc.activities)
        #expect(reread.entity == "sip:bob@example.com")
    }

    @Test func pidfReaderIsTolerantButRefusesBrokenXML() throws {
        let prefixed = """
        <?xml version="1.0"?><!-- c --><p:presence xmlns:p="urn:ietf:params:xml:ns:pidf" entity="sip:a@b">\
        <p:tuple id="x"><p:status><p:basic> open </p:basic></p:status><p:note>a &amp; b</p:note><ext>1</ext></p:tuple></p:presence>
        """
        let doc = try PIDFDocument.parse(Array(prefixed.utf8))
        #expect(doc.tuples == [PIDFTuple(id: "x", basic: .open, note: "a & b")])
        #expect(throws: PIDFParseError.self) { try PIDFDocument.parse(Array("<presence><tuple></presence>".utf8)) }
        #expect(throws: PIDFParseError.self) { try PIDFDocument.parse(Array("<presence a=b/>".utf8)) }
        #expect(throws: PIDFParseError.self) { try PIDFDocument.parse(Array("<other/>".utf8)) }
        #expect(throws: PIDFParseError.self) { try PIDFDocument.parse(Array("<presence>&bogus;</presence>".utf8)) }
    }
}
