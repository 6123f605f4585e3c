import Relay

/// Cost of the relay's once-a-second clock on the session table with many idle calls (issue 3): the control thread
/// shares a core with the data-plane workers, so every millisecond it spends here in one piece is a millisecond
/// packets can wait. `tandem perf tick` runs it; docs/PERFORMANCE.md records it.
///
/// Two parts are timed separately: `tick` plus `statistics()` (what the control thread runs after each tick and
/// ng batch), and applying one data plane report to every stream (what the driver did every tick before reports
/// were filtered to changed streams; now only streams with traffic pay it).
public struct SessionTickBenchmark: Sendable {
    /// What one size measured, in microseconds per operation (best batch, least disturbed by neighbours).
    public struct Result: Sendable {
        public var calls: Int
        public var tickMicroseconds: Double
        public var reportAllMicroseconds: Double
    }

    public var maxSeconds: Double

    public init(maxSeconds: Double = 2) {
        self.maxSeconds = maxSeconds
    }

    public func run(calls: Int) -> Result {
        var table = SessionTickBenchmark.table(calls: calls)
        let streams = SessionTickBenchmark.streamIDs(table, calls: calls)
        let runner = MicroBenchmark(batchSize: 5, maxIterations: 2_000, maxSeconds: maxSeconds)
        // Calls were set up at t=0 with `timeout` 60: nothing is due at t=30.
        let tick = runner.run("tick") {
            let outcome = table.tick(now: .seconds(30))
            return outcome.events.count &+ table.statistics().currentStreams
        }
        var packets: UInt64 = 0
        let reports = runner.run("reports") {
            packets &+= 1
            for stream in streams {
                table.applyReport(stream: stream, counters: MediaCounters(packets: packets), lastPacket: .seconds(1),
                                  learned: nil, inKernel: false)
            }
            return streams.count
        }
        return Result(calls: calls, tickMicroseconds: 1e6 / max(tick.bestBatchOpsPerSecond, 1e-9),
                      reportAllMicroseconds: 1e6 / max(reports.bestBatchOpsPerSecond, 1e-9))
    }

    static func table(calls: Int) -> SessionTable {
        let address = MediaAddress(parsing: "203.0.113.10") ?? .v4(0)
        let peerA = MediaAddress(parsing: "10.1.1.1") ?? .v4(0)
        let peerB = MediaAddress(parsing: "192.0.2.20") ?? .v4(0)
        let interface = RelayInterface(name: "pub", address: address, portMin: 10000, portMax: 65000)
        var table = SessionTable(
            configuration: SessionConfiguration(interfaces: [interface], timeout: 60, deleteDelay: 0),
            startOffsets: [0])
        for index in 0..<calls {
            let port = UInt16(truncatingIfNeeded: 2000 + 2 * (index % 20000))
            _ = try? table.offer(callID: "bench-\(index)", fromTag: "A",
                                 media: [SessionMediaDescription(index: 1, address: peerA, port: port)],
                                 at: .seconds(0))
            _ = try? table.answer(callID: "bench-\(index)", fromTag: "A", toTag: "B",
                                  media: [SessionMediaDescription(index: 1, address: peerB, port: port)],
                                  at: .seconds(0))
        }
        return table
    }

    static func streamIDs(_ table: SessionTable, calls: Int) -> [MediaStreamID] {
        var ids: [MediaStreamID] = []
        for index in 0..<calls {
            guard let snapshot = try? table.query(callID: "bench-\(index)") else { continue }
            for monologue in snapshot.monologues {
                for media in monologue.medias { ids += media.streams.map(\.id) }
            }
        }
        return ids
    }
}
