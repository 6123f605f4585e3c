import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The seed's dispatcher call flows 2–6 (issue 7), end to end in namespaces (`SeedLab`): real
/// `tandem signaling`, SIPp phones behind a NAT, SIPp "FreeSWITCH" boxes, a SIPp ITSP. Each test has
/// its own lab (a few seconds to build) so a dead box never leaks into the next flow. Assertions read
/// SIPp's statistics (calls answered or failed) and the boxes' SIPp logs (who received which number),
/// and the dispatcher's state from the admin API — never the edge's log.
@Suite("DispatchFlow", .serialized, .timeLimit(.minutes(2)))
struct DispatchFlowTests {
    /// Flows 2 and 3: phone → farm → ITSP (the box bridges its B-leg through the edge, which sends it
    /// to the gateway the Request-URI names), and ITSP DID → farm (hashed on the DID) → registered
    /// phone (the box's B-leg to alice@example.com goes through the edge to the phone's pinhole).
    @Test func callsToAndFromTheITSPCrossTheFarm() throws {
        let seed = try SeedLab()
        defer { seed.shutdown() }
        _ = try seed.startAnswering(at: .itsp)

        // Flow 2: outbound. "+1…" numbers are the box's route to the ITSP.
        let outbound = try seed.call(from: .phone, Array(repeating: (user: "+15551234567", domain: "example.com"), count: 3), timeout: 15)
        #expect(outbound.successful == 3 && outbound.failed == 0, "outbound: \(outbound.summary)")
        let atITSP = seed.answered(at: .itsp)
        #expect(atITSP.filter { $0.user == "+15551234567" }.count == 3, "ITSP answered \(atITSP)")
        let outBridges = (0..<3).flatMap { seed.bridges(atBox: $0) }.filter { $0.callID.contains("-\(outbound.pid)@") }
        #expect(outBridges.count == 3 && outBridges.allSatisfy { $0.bleg == "sip:+15551234567@\(SeedLab.itspAddress)" },
                "bridges: \(outBridges)")

        // Flow 3: inbound. The phone registers, then DIDs ring it through a box each.
        _ = try seed.startAnswering(at: .phone)
        let dids = [String](repeating: "+4930123456", count: 4) + [String](repeating: "+4940987654", count: 4)
        let inbound = try seed.call(from: .itsp, dids.map { (user: $0, domain: SeedLab.edgeAddress) }, timeout: 15)
        #expect(inbound.successful == dids.count && inbound.failed == 0, "inbound: \(inbound.summary)")
        let atPhone = seed.answered(at: .phone)
        #expect(atPhone.filter { $0.user == "alice" }.count == dids.count, "phone answered \(atPhone)")
        // `hash: did`: each number stays on one box.
        let byDID = seed.boxesByUser(ofRun: inbound.pid)
        #expect(byDID["+4930123456"]?.count == 1 && byDID["+4940987654"]?.count == 1, "DIDs by box: \(byDID)")
        let inBridges = (0..<3).flatMap { seed.bridges(atBox: $0) }.filter { $0.callID.contains("-\(inbound.pid)@") }
        #expect(inBridges.count == dids.count && inBridges.allSatisfy { $0.bleg == "sip:alice@example.com" }, "\(inBridges)")
    }

    /// Flow 4: a conference number dialled 20 times lands on one box; that box dies: the conference
    /// moves to one other box, and numbers that were on live boxes stay where they were.
    @Test func aConferenceSticksToOneBoxAndOnlyTheDeadBoxsNumbersMove() throws {
        let seed = try SeedLab()
        defer { seed.shutdown() }
        let others = (1...30).map { "2\(String(format: "%03d", $0))" }
        let numbers = [String](repeating: "3000", count: 20) + others

        let before = try seed.call(from: .phone, numbers.map { (user: $0, domain: "example.com") }, rate: 25)
        #expect(before.successful == numbers.count && before.failed == 0, "before: \(before.summary)")
        let placedBefore = seed.boxesByUser(ofRun: before.pid)
        let conferenceBoxes = placedBefore["3000"] ?? []
        try #require(conferenceBoxes.count == 1, "conference on boxes \(conferenceBoxes)")
        let dead = try #require(conferenceBoxes.first)
        #expect(seed.invites(atBox: dead).filter { $0.user == "3000" }.count == 20)

        seed.killBox(dead)
        #expect(waitUntil(seconds: 2 * SeedLab.probeIntervalSeconds + 0.5) {
            (try? seed.dispatcherStates()[SeedLab.boxURI(dead)]) == "inactive"
        }, "fs\(dead + 1) not inactive: \((try? seed.dispatcherStates()) ?? [:])")

        let after = try seed.call(from: .phone, numbers.map { (user: $0, domain: "example.com") }, rate: 25)
        #expect(after.successful == numbers.count && after.failed == 0, "after: \(after.summary)")
        let placedAfter = seed.boxesByUser(ofRun: after.pid)
        let newConference = placedAfter["3000"] ?? []
        #expect(newConference.count == 1 && !newConference.contains(dead), "conference moved to \(newConference)")
        var moved = 0
        for number in others {
            let old = placedBefore[number] ?? [], new = placedAfter[number] ?? []
            #expect(old.count == 1 && new.count == 1 && !new.contains(dead), "\(number): \(old) → \(new)")
            if old.contains(dead) { moved += 1 } else { #expect(old == new, "\(number) reshuffled: \(old) → \(new)") }
        }
        #expect(moved > 0, "no number was on the dead box: the test proves nothing about moving")
    }

    /// Flow 5: two tenants' calls land on their partitions; the partition's only box dies and its spare
    /// takes the tenant (the other tenant stays put); the box returns and takes its tenant back.
    @Test func tenantsLandOnTheirPartitionsAndTheSpareTakesOver() throws {
        let seed = try SeedLab()
        defer { seed.shutdown() }
        let calls = (1...6).map { (user: "a10\($0)", domain: "acme.example") } + (1...6).map { (user: "g10\($0)", domain: "globex.example") }
        func boxes(_ run: SeedCallRun, prefix: String) -> Set<Int> {
            seed.boxesByUser(ofRun: run.pid).filter { $0.key.hasPrefix(prefix) }.values.reduce(into: Set<Int>()) { $0.formUnion($1) }
        }

        let normal = try seed.call(from: .phone, calls, rate: 25)
        #expect(normal.successful == calls.count && normal.failed == 0, "normal: \(normal.summary)")
        #expect(boxes(normal, prefix: "a") == [0], "acme on \(boxes(normal, prefix: "a"))")
        #expect(boxes(normal, prefix: "g") == [1], "globex on \(boxes(normal, prefix: "g"))")

        seed.killBox(0)
        #expect(waitUntil(seconds: 2 * SeedLab.probeIntervalSeconds + 0.5) {
            (try? seed.dispatcherStates()[SeedLab.boxURI(0)]) == "inactive"
        })
        let failed = try seed.call(from: .phone, calls, rate: 25)
        #expect(failed.successful == calls.count && failed.failed == 0, "spare: \(failed.summary)")
        #expect(boxes(failed, prefix: "a") == [2], "acme on \(boxes(failed, prefix: "a")) with fs1 dead")
        #expect(boxes(failed, prefix: "g") == [1], "globex on \(boxes(failed, prefix: "g")) with fs1 dead")

        try seed.startBox(0)
        #expect(waitUntil(seconds: 2 * SeedLab.probeIntervalSeconds + 0.5) {
            (try? seed.dispatcherStates()[SeedLab.boxURI(0)]) == "active"
        })
        let back = try seed.call(from: .phone, calls, rate: 25)
        #expect(back.successful == calls.count && back.failed == 0, "back: \(back.summary)")
        #expect(boxes(back, prefix: "a") == [0], "acme on \(boxes(back, prefix: "a")) after fs1 returned")
    }

    /// Flow 6: a steady load (15 calls/s, 300 calls, SIPp); fs2 is killed mid-run: no call fails
    /// (INVITEs caught on the dead box fail over after their transaction timeout), fs2 is inactive
    /// within two probe intervals; fs2 comes back: it is active again and receives calls again.
    @Test func aBackendDiesUnderLoadAndComesBack() throws {
        let seed = try SeedLab()
        defer { seed.shutdown() }
        let numbers = (0..<300).map { (user: "u\($0)", domain: "example.com") }
        let load = try seed.call(from: .phone, numbers, rate: 15, limit: 100, timeout: 50, wait: false)
        usleep(4_000_000)
        #expect(load.process.isRunning, "the load ended early: \(load.summary)")
        let victim = 1

        seed.killBox(victim)
        let killedAt = Date()
        let wentInactive = waitUntil(seconds: 5) { (try? seed.dispatcherStates()[SeedLab.boxURI(victim)]) == "inactive" }
        let detection = Date().timeIntervalSince(killedAt)
        #expect(wentInactive, "fs2 never became inactive: \((try? seed.dispatcherStates()) ?? [:])")
        // Two probe intervals, plus the 100 ms poll step of this test.
        #expect(detection <= 2 * SeedLab.probeIntervalSeconds + 0.15, "inactive after \(detection) s")

        usleep(4_000_000)
        try seed.startBox(victim)
        let cameBack = waitUntil(seconds: 2 * SeedLab.probeIntervalSeconds + 0.5) {
            (try? seed.dispatcherStates()[SeedLab.boxURI(victim)]) == "active"
        }
        #expect(cameBack, "fs2 not active again: \((try? seed.dispatcherStates()) ?? [:])")

        _ = load.process.wait(timeout: .seconds(50))
        #expect(load.successful == numbers.count && load.failed == 0, "load: \(load.summary)")
        let victimCalls = seed.invites(atBox: victim).filter { $0.callID.contains("-\(load.pid)@") }
        let survivors = [0, 2].map { box in seed.invites(atBox: box).filter { $0.callID.contains("-\(load.pid)@") }.count }
        #expect(survivors.allSatisfy { $0 > 0 }, "calls per surviving box: \(survivors)")
        // Used again after coming back: its second log (the restarted SIPp) holds calls of this run.
        let afterReturn = seed.invitesOfLatestStart(atBox: victim).filter { $0.callID.contains("-\(load.pid)@") }
        #expect(!afterReturn.isEmpty, "fs2 got no calls after it came back (\(victimCalls.count) in all)")
    }
}
