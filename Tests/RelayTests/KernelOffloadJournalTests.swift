import Glibc
import Testing
@testable import Relay

/// The pieces of kernel offload that need no kernel: the call record, restoring it into a session table on its
/// exact ports, the journal file, and the options.
@Suite struct KernelOffloadJournalTests {
    typealias F = SessionsFixtures

    /// A call with one muxed and one plain audio section, tags, a via-branch and learning flags.
    static func answeredTable() throws -> SessionTable {
        var table = F.table()
        var options = OfferAnswerOptions()
        options.learning = [.strictSource]
        _ = try table.offer(callID: "call 1\u{00e9}", fromTag: "from tag", viaBranch: "z9hG4bK-1",
                            media: [F.audio("192.0.2.1", 5000), F.audio("192.0.2.1", 5010, index: 2, mux: true)],
                            options: options, at: F.at(100))
        _ = try table.answer(callID: "call 1\u{00e9}", fromTag: "from tag", toTag: "to-tag",
                             media: [F.audio("192.0.2.2", 6000, direction: .recvonly),
                                     F.audio("192.0.2.2", 6010, index: 2, mux: true)], at: F.at(101))
        return table
    }

    @Test func recordRoundTripsThroughItsLine() throws {
        let table = try Self.answeredTable()
        let record = try #require(table.record(callID: "call 1\u{00e9}"))
        let line = record.encoded()
        #expect(!line.contains("\n"))
        let decoded = try #require(CallRecord(decoding: Substring(line)))
        #expect(decoded.encoded() == line)
        #expect(CallRecord(decoding: Substring(line.dropLast(3))) == nil)
        #expect(CallRecord(decoding: "c1 zz") == nil)
        #expect(table.record(callID: "nope") == nil)
    }

    @Test func restoreRebuildsTheCallOnItsPortsWithFreshLastSignal() throws {
        let original = try Self.answeredTable()
        let record = try #require(original.record(callID: "call 1\u{00e9}"))
        let decoded = try #require(CallRecord(decoding: Substring(record.encoded())))
        var restored = F.table()
        let outcome = try restored.restore(decoded, at: F.at(500))
        let before = try original.query(callID: "call 1\u{00e9}")
        let after = try restored.query(callID: "call 1\u{00e9}")
        #expect(after.created == before.created)
        #expect(after.lastSignal == F.at(500))
        #expect(after.monologues.map(\.tag) == before.monologues.map(\.tag))
        #expect(after.monologues.map(\.viaBranch) == before.monologues.map(\.viaBranch))
        func layout(_ call: CallSnapshot) -> [[String]] {
            call.monologues.map { monologue in
                monologue.medias.flatMap { media in
                    media.streams.map { "\(media.index) \($0.kind) \($0.local) \($0.muxed) \(String(describing: $0.advertisedEndpoint)) \(media.direction)" }
                }
            }
        }
        #expect(layout(after) == layout(before))
        #expect(Set(F.opened(outcome.actions)) == Set(original.heldSockets()))
        #expect(F.added(outcome.actions).count == 4)
        #expect(restored.statistics().ports.map(\.used) == original.statistics().ports.map(\.used))
        // A second restore of the same call changes nothing; a port already held refuses the record.
        #expect(try restored.restore(decoded, at: F.at(501)).actions.isEmpty)
        var clash = F.table()
        let taken = try #require(original.heldSockets().max { $0.port < $1.port })
        let reserved = clash.allocators[Int(taken.interface.rawValue)].reserve(taken.port)
        #expect(reserved)
        let used = clash.statistics().ports.map(\.used)
        #expect(throws: SessionError.self) { try clash.restore(decoded, at: F.at(104)) }
        #expect(clash.statistics().ports.map(\.used) == used)
    }

    @Test func journalReplaysTheLastRecordPerLiveCall() throws {
        let directory = "/tmp/tandem-journal-\(getpid())-\(UInt32.random(in: 0...UInt32.max))/nested"
        defer { _ = system("rm -rf '\(directory)/..'") }
        let table = try Self.answeredTable()
        let record = try #require(table.record(callID: "call 1\u{00e9}"))
        var other = F.table()
        _ = try other.offer(callID: "second", fromTag: "a", media: [F.audio("192.0.2.5", 5000)], at: F.at(1))
        let second = try #require(other.record(callID: "second"))

        let journal = try KernelOffloadJournal(directory: directory)
        journal.record([record, second])
        journal.record([record])
        journal.forget(callID: "second")
        #expect(journal.load().map(\.callIdentifier) == ["call 1\u{00e9}"])
        journal.compact(journal.load())
        // A torn last line (crash mid-write) is skipped.
        let fd = open(journal.path, O_WRONLY | O_APPEND)
        _ = "+ c1 6162".withCString { write(fd, $0, strlen($0)) }
        close(fd)
        let reopened = try KernelOffloadJournal(directory: directory)
        #expect(reopened.load().map { $0.encoded() } == [record.encoded()])
        reopened.clear()
        #expect(reopened.load().isEmpty)
    }

    @Test func portAllocatorReservesOneSpecificPort() {
        var allocator = PortAllocator(portMin: 30000, portMax: 30009, startOffset: 0)
        let first = allocator.reserve(30004)
        let again = allocator.reserve(30004)
        let outside = allocator.reserve(29999)
        #expect(first && !again && !outside)
        #expect(allocator.isInUse(30004) && allocator.usedCount == 1)
        var pairs: [UInt16] = []
        while let pair = allocator.allocatePair() { pairs.append(pair.rtp) }
        #expect(!pairs.contains(30004))
        let single = allocator.allocateSingle()
        #expect(single == 30005)
        let released = allocator.release(30004)
        #expect(released)
    }

    @Test func kernelOptionsParseFromYAML() throws {
        let yaml = "kernel: require\nkernel-table: relay_1\ndata-dir: /var/lib/tandem\n"
        let options = try RelayConfigurationFile.apply(yaml: yaml, file: "relay.yaml", over: RelayOptions())
        #expect(options.kernelMode == .require && options.kernelTable == "relay_1")
        #expect(options.dataDirectory == "/var/lib/tandem")
        #expect(RelayOptions().kernelMode == .auto && RelayOptions().dataDirectory == "./var/relay")
        #expect(throws: RelayConfigurationError.self) {
            try RelayConfigurationFile.apply(yaml: "kernel: sometimes\n", file: "relay.yaml", over: RelayOptions())
        }
    }

    @Test func metricsShowTheKernelStatus() {
        var metrics = RelayMetrics()
        metrics.kernel.active = true
        metrics.kernel.offloadedStreams = 4
        metrics.kernel.packets = 120
        metrics.kernel.bytes = 9000
        metrics.kernel.installErrors = 1
        metrics.kernel.lastInstallError = "netlink: \"EBUSY\""
        let text = metrics.prometheusText()
        #expect(text.contains("tandem_relay_kernel_active 1\n"))
        #expect(text.contains("tandem_relay_kernel_offloaded_streams 4\n"))
        #expect(text.contains("tandem_relay_kernel_packets_total 120\n"))
        #expect(text.contains("tandem_relay_kernel_bytes_total 9000\n"))
        #expect(text.contains("tandem_relay_kernel_install_errors_total 1\n"))
        #expect(text.contains("tandem_relay_kernel_last_install_error{error=\"netlink: \\\"EBUSY\\\"\"} 1\n"))
        #expect(!RelayMetrics().prometheusText().contains("last_install_error{"))
    }
}
