import Testing
import Glibc
import CShims
@testable import Relay
import TestSupport

/// The kernel path against a real kernel in lab namespaces: no userspace process is bound on the relay's ports,
/// so whatever arrives was forwarded by the nftables table.
@Suite(.serialized, .enabled(if: LabRequirements.isEnabled))
struct KernelForwarderTests {
    typealias Lab = KernelTestLab

    @Test func sysctlCheckReportsAndFixesTheRelayNamespace() throws {
        let setup = try Lab()
        let keys = Set(setup.initialFindings.map(\.key))
        #expect(keys.contains("net.ipv4.ip_forward"))
        #expect(keys.contains("net.ipv4.conf.all.send_redirects"))
        #expect(keys.contains("net.ipv4.conf.eth0.send_redirects"))
        #expect(setup.initialFindings.allSatisfy { !$0.description.isEmpty && !$0.writeFailed })
        #expect(setup.remainingFindings.isEmpty, "\(setup.remainingFindings)")
        #expect(try setup.lab.readSysctl(setup.relay, "net.ipv4.ip_forward") == "1")
    }

    @Test func callIsForwardedBothWaysWithCountersThenRemoved() throws {
        let setup = try Lab()
        let forwarder = try setup.makeForwarder()
        try forwarder.createTable()
        try forwarder.install(Lab.callEntries)

        let caller = try setup.lab.udpSocket(in: setup.caller, bind: Lab.callerAddress, port: Lab.callerPort)
        let callee = try setup.lab.udpSocket(in: setup.callee, bind: Lab.calleeAddress, port: Lab.calleePort)
        let payload = [UInt8](repeating: 0x5a, count: 160)
        for _ in 0..<3 { try caller.send(payload, to: Lab.relayAddress, port: Lab.relayPortA) }
        for _ in 0..<3 {
            let datagram = try #require(try callee.receive(timeout: .seconds(2)))
            #expect(datagram.bytes == payload)
            #expect(datagram.host == Lab.relayAddress && datagram.port == Lab.relayPortB)
        }
        for _ in 0..<2 { try callee.send([1, 2, 3, 4], to: Lab.relayAddress, port: Lab.relayPortB) }
        for _ in 0..<2 {
            let datagram = try #require(try caller.receive(timeout: .seconds(2)))
            #expect(datagram.bytes == [1, 2, 3, 4])
            #expect(datagram.host == Lab.relayAddress && datagram.port == Lab.relayPortA)
        }

        let counters = try forwarder.readCounters()
        let legA = Lab.callEntries[0].key, legB = Lab.callEntries[1].key
        // The counter sees the IP datagram: 20 bytes IPv4 header + 8 bytes UDP header + payload.
        #expect(counters[legA] == KernelStreamCounters(packets: 3, bytes: 3 * (28 + 160)))
        #expect(counters[legB] == KernelStreamCounters(packets: 2, bytes: 2 * (28 + 4)))
        // The relay's read: the same dump, reported by mark with the local port (parsed in place, no key built).
        let marks = forwarder.marks(of: [legA, legB])
        var byMark: [UInt32: (UInt16, KernelStreamCounters)] = [:]
        let elements = try forwarder.forEachLegCounter { mark, localPort, current in byMark[mark] = (localPort, current) }
        #expect(elements == 2 && byMark.count == 2)
        #expect(byMark[try #require(marks[0])].map { $0.0 == Lab.relayPortA && $0.1 == counters[legA] } == true)
        #expect(byMark[try #require(marks[1])].map { $0.0 == Lab.relayPortB && $0.1 == counters[legB] } == true)

        try forwarder.remove([legA, legB])
        #expect(try forwarder.readCounters().isEmpty)
        #expect(forwarder.installedEntries.isEmpty)
        #expect(!(try setup.nft(["list", "map", "ip", "tandem", "out_daddr"])).contains("elements"))
        try sendTolerantly(caller, payload, to: Lab.relayAddress, port: Lab.relayPortA)
        #expect(try callee.receive(timeout: .milliseconds(300)) == nil)

        try forwarder.removeTable()
        #expect(try setup.nft(["list", "tables"]).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }

    @Test func packetFromAnUnexpectedSourceIsNotForwarded() throws {
        let setup = try Lab()
        let forwarder = try setup.makeForwarder()
        try forwarder.createTable()
        defer { try? forwarder.removeTable() }
        try forwarder.install(Lab.callEntries)
        let callee = try setup.lab.udpSocket(in: setup.callee, bind: Lab.calleeAddress, port: Lab.calleePort)
        // Right host, wrong port: not the learned source.
        let stranger = try setup.lab.udpSocket(in: setup.caller, bind: Lab.callerAddress, port: Lab.callerPort + 1)
        try sendTolerantly(stranger, [9, 9, 9], to: Lab.relayAddress, port: Lab.relayPortA)
        #expect(try callee.receive(timeout: .milliseconds(300)) == nil)
        let counters = try forwarder.readCounters()
        #expect(counters[Lab.callEntries[0].key]?.packets == 0)
        // The learned source still goes through.
        let caller = try setup.lab.udpSocket(in: setup.caller, bind: Lab.callerAddress, port: Lab.callerPort)
        try caller.send([7], to: Lab.relayAddress, port: Lab.relayPortA)
        #expect(try callee.receive(timeout: .seconds(2))?.bytes == [7])
    }

    @Test func updateKeepsTheLegAndItsCounterButChangesTheDestination() throws {
        let setup = try Lab()
        let forwarder = try setup.makeForwarder()
        try forwarder.createTable()
        defer { try? forwarder.removeTable() }
        try forwarder.install(Lab.callEntries)
        let caller = try setup.lab.udpSocket(in: setup.caller, bind: Lab.callerAddress, port: Lab.callerPort)
        let callee = try setup.lab.udpSocket(in: setup.callee, bind: Lab.calleeAddress, port: Lab.calleePort)
        let moved = try setup.lab.udpSocket(in: setup.callee, bind: Lab.calleeAddress, port: Lab.calleePort + 10)
        try caller.send([1], to: Lab.relayAddress, port: Lab.relayPortA)
        #expect(try callee.receive(timeout: .seconds(2))?.bytes == [1])

        let old = Lab.callEntries[0]
        let updated = KernelStreamEntry(key: old.key, source: old.source,
                                        destination: Lab.endpoint(Lab.calleeAddress, Lab.calleePort + 10))
        try forwarder.install([updated])
        try caller.send([2], to: Lab.relayAddress, port: Lab.relayPortA)
        #expect(try moved.receive(timeout: .seconds(2))?.bytes == [2])
        #expect(try forwarder.readCounters()[old.key]?.packets == 2)
        #expect(Set(forwarder.installedEntries) == Set([updated, Lab.callEntries[1]]))
    }

    @Test func thousandEntriesInstallInOneBatch() throws {
        let setup = try Lab()
        let forwarder = try setup.makeForwarder()
        try forwarder.createTable()
        defer { try? forwarder.removeTable() }
        let entries = (0..<1000).map(syntheticEntry)
        let callsBefore = forwarder.netlinkSendCalls
        let clock = ContinuousClock()
        let elapsed = try clock.measure { try forwarder.install(entries) }
        let calls = forwarder.netlinkSendCalls - callsBefore
        #expect(calls <= 2, "\(calls) sendto calls for 1000 entries")
        #expect(elapsed < .seconds(2), "install took \(elapsed)")
        let counters = try forwarder.readCounters()
        #expect(counters.count == 1000)
        #expect(Set(counters.keys) == Set(entries.map { $0.key }))
        var seen: [UInt32: UInt16] = [:]
        let elements = try forwarder.forEachLegCounter { mark, localPort, _ in seen[mark] = localPort }
        let marks = forwarder.marks(of: entries.map(\.key))
        #expect(elements == 1000 && seen.count == 1000)
        #expect(zip(marks, entries).allSatisfy { mark, entry in mark.flatMap { seen[$0] } == entry.key.local.port })

        let removeBefore = forwarder.netlinkSendCalls
        try forwarder.remove(entries.prefix(500).map { $0.key })
        #expect(forwarder.netlinkSendCalls - removeBefore <= 2)
        #expect(try forwarder.readCounters().count == 500)
    }

    /// Leg `index` of a synthetic load: distinct peers and relay ports, nothing routable behind them.
    private func syntheticEntry(_ index: Int) -> KernelStreamEntry {
        let host = UInt8(index % 250 + 1)
        let key = KernelStreamKey(peer: .ipv4(10, 77, 41, host, port: UInt16(20000 + index)),
                                  local: .ipv4(10, 77, 40, 1, port: UInt16(30000 + 2 * index)))
        return KernelStreamEntry(key: key, source: .ipv4(10, 77, 40, 1, port: UInt16(30001 + 2 * index)),
                                 destination: .ipv4(10, 77, 42, host, port: UInt16(40000 + index)))
    }

    @Test func freshForwarderAdoptsTheTableAfterACrash() throws {
        let setup = try Lab()
        let caller = try setup.lab.udpSocket(in: setup.caller, bind: Lab.callerAddress, port: Lab.callerPort)
        let callee = try setup.lab.udpSocket(in: setup.callee, bind: Lab.calleeAddress, port: Lab.calleePort)
        do {
            // The "crashed" relay: installs and forwards, then vanishes without removing anything.
            let first = try setup.makeForwarder()
            try first.createTable()
            try first.install(Lab.callEntries)
        }
        for _ in 0..<4 { try caller.send([3, 3], to: Lab.relayAddress, port: Lab.relayPortA) }
        for _ in 0..<4 { #expect(try callee.receive(timeout: .seconds(2))?.bytes == [3, 3]) }

        let second = try setup.makeForwarder()
        #expect(try second.tableExists())
        let adopted = try second.adoptExisting()
        #expect(Set(adopted) == Set(Lab.callEntries))
        #expect(try second.readCounters()[Lab.callEntries[0].key]?.packets == 4)
        // Adopted marks are not handed out again: a new call gets fresh ones and both calls keep working.
        let other = KernelStreamEntry.pair(peerA: Lab.endpoint(Lab.callerAddress, 51000),
                                           localA: Lab.endpoint(Lab.relayAddress, 31000),
                                           peerB: Lab.endpoint(Lab.calleeAddress, 51002),
                                           localB: Lab.endpoint(Lab.relayAddress, 31002))
        try second.install(other)
        try caller.send([4], to: Lab.relayAddress, port: Lab.relayPortA)
        #expect(try callee.receive(timeout: .seconds(2))?.bytes == [4])
        try second.remove(Lab.callEntries.map(\.key))
        #expect(Set(second.installedEntries) == Set(other))
        try second.removeTable()
        #expect(throws: KernelForwarderError.tableMissing("tandem")) { try second.adoptExisting() }
    }

    @Test func customTableNameAndMarkMaskLeaveOtherTablesAlone() throws {
        let setup = try Lab()
        try setup.lab.loadNFTables(setup.relay, ruleset: "table inet bystander {\n chain c {\n type filter hook input priority 0;\n }\n}\n")
        let forwarder = try setup.makeForwarder(KernelForwarderConfiguration(tableName: "media_offload", markMask: 0x00ff_0000))
        try forwarder.createTable()
        try forwarder.install(Lab.callEntries)
        let listing = try setup.nft(["list", "ruleset"])
        #expect(listing.contains("table ip media_offload"))
        #expect(listing.contains("0x00ff0000"))
        let caller = try setup.lab.udpSocket(in: setup.caller, bind: Lab.callerAddress, port: Lab.callerPort)
        let callee = try setup.lab.udpSocket(in: setup.callee, bind: Lab.calleeAddress, port: Lab.calleePort)
        try caller.send([5], to: Lab.relayAddress, port: Lab.relayPortA)
        #expect(try callee.receive(timeout: .seconds(2))?.bytes == [5])
        try forwarder.removeTable()
        #expect(try setup.nft(["list", "tables"]).trimmingCharacters(in: .whitespacesAndNewlines) == "table inet bystander")
    }

    @Test func withoutNetAdminTheForwarderReportsTheCapability() throws {
        let setup = try Lab()
        let outcome: (KernelForwarderError?, KernelOffloadDecision?, KernelForwarderError?) =
            try setup.lab.withNamespace(setup.relay) {
                // Capabilities are per thread: this throw-away thread alone loses CAP_NET_ADMIN.
                #expect(tdm_thread_drop_capability(12 /* CAP_NET_ADMIN */) == 0)
                var created: KernelForwarderError?
                do { try KernelForwarder().createTable() } catch let error as KernelForwarderError { created = error }
                let auto = try? KernelMode.auto.start()
                var required: KernelForwarderError?
                do { _ = try KernelMode.require.start() } catch let error as KernelForwarderError { required = error }
                return (created, auto, required)
            }
        #expect(outcome.0 == .missingCapability(operation: "create table ip tandem"))
        #expect(outcome.0?.isEnvironmentProblem == true)
        #expect(outcome.0?.description.contains("CAP_NET_ADMIN") == true)
        if case .userspace(let reason)? = outcome.1 {
            #expect(reason.contains("CAP_NET_ADMIN"))
        } else {
            Issue.record("auto mode should fall back to userspace, got \(String(describing: outcome.1))")
        }
        #expect(outcome.2 == .missingCapability(operation: "create table ip tandem"))
        #expect(try setup.nft(["list", "tables"]).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }
}
