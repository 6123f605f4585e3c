import Testing
@testable import Signaling

/// Edge cases: fetch subscriptions, dialog NOTIFY content, and the PIDF reader on mangled input.
@Suite struct PresenceRobustnessTests {
    typealias F = PresenceFixture
    let t0 = SIPInstant(milliseconds: 2_000)

    @Test func fetchSubscribeGetsOneTerminatedNotifyAndNoState() throws {
        var table = SubscriptionTable()
        let actions = table.receiveSubscribe(F.subscribe(expires: 0), from: F.phone, now: t0)
        #expect(F.responses(actions).first?.statusCode == 200)
        let notify = try #require(F.notifies(actions).first)
        #expect(F.header(notify, "Subscription-State") == "terminated;reason=timeout")
        #expect(F.bodyText(notify).contains("<presence"))
        #expect(table.count == 0)
    }

    @Test func dialogNotifyCarriesDialogInfoWithIncreasingVersion() throws {
        var table = SubscriptionTable()
        var tracker = DialogStateTracker()
        let first = F.notifies(table.receiveSubscribe(F.subscribe(event: "dialog;id=7"), from: F.phone, now: t0))
        let n0 = try #require(first.first)
        #expect(F.header(n0, "Event") == "dialog;id=7")
        #expect(F.header(n0, "Content-Type") == "application/dialog-info+xml")
        #expect(F.bodyText(n0).contains("version=\"0\""))
        let updates = tracker.apply(.invite(callID: "c9", fromTag: "f", caller: F.aor("carol"), callee: F.aor("bob")), now: t0)
        let bob = try #require(updates.first { $0.aor == F.aor("bob") })
        let n1 = try #require(F.notifies(table.stateChanged(bob.aor, package: .dialog, content: .dialogInfo(bob.document),
                                                           now: t0 + 2000)).first)
        #expect(F.bodyText(n1).contains("version=\"1\""))
        #expect(F.bodyText(n1).contains("<state>trying</state>"))
        #expect(try n1.cseq.sequence == 2)
    }

    @Test func mangledPIDFNeverTraps() {
        let valid = Array(F.pidf(note: "x & y", activity: "busy").utf8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let alphabet = Array("<>/&;#x=\"' ?!-[]CDATAtuple".utf8)
        for _ in 0..<2000 {
            var bytes = valid
            for _ in 0..<Int(next() % 4 + 1) {
                let at = Int(next() % UInt64(bytes.count))
                switch next() % 3 {
                case 0: bytes[at] = alphabet[Int(next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: at)
                default: bytes = Array(bytes[..<at])
                }
                if bytes.isEmpty { break }
            }
            _ = try? PIDFDocument.parse(bytes)
        }
    }
}
