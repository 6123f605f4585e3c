import Testing
import Histogram
@testable import Perf

@Suite struct KernelBenchPartsTests {
    @Test func coreTicksFromProcStat() throws {
        let stat = Array("cpu  10 0 10 100 0 0 0 0 0 0\ncpu0 1 2 3 40 5 6 7 8 0 0\ncpu1 100 0 50 800 50 0 0 0 0 0\nintr 1\n".utf8)
        let c0 = try #require(CoreCPUSampler.ticks(procStat: stat, core: 0))
        #expect(c0.busy == 1 + 2 + 3 + 6 + 7 + 8 && c0.total == 72)
        let c1 = try #require(CoreCPUSampler.ticks(procStat: stat, core: 1))
        #expect(c1.busy == 150 && c1.total == 1000)
        #expect(CoreCPUSampler.ticks(procStat: stat, core: 2) == nil)
        #expect(CoreCPUSampler.busyFraction(from: .init(busy: 0, total: 0), to: .init(busy: 25, total: 100)) == 0.25)
        #expect(CoreCPUSampler.busyFraction(from: .init(busy: 5, total: 100), to: .init(busy: 5, total: 100)) == nil)
    }

    @Test func bareRulesetHasTheRelayShape() {
        let r = BareNATRuleset(table: "tb")
        let create = r.create()
        #expect(create.contains("type ipv4_addr . inet_service . ipv4_addr . inet_service : mark; counter;"))
        #expect(create.contains("notrack") && create.contains("hook postrouting priority srcnat"))
        #expect(create.contains(": mark; counter; size 65535; }") && create.contains("type mark : inet_service; size 65535; }"))
        #expect(BareNATRuleset(table: "tb", mapSize: 1000).create().contains("type mark : ipv4_addr; size 1000; }"))
        let leg = BareNATRuleset.Leg(mark: 3, peer: IPv4Endpoint(host: "10.0.0.2", port: 5000)!,
                                     local: IPv4Endpoint(host: "10.0.0.1", port: 50000)!,
                                     outSource: IPv4Endpoint(host: "10.0.0.1", port: 50002)!,
                                     outDestination: IPv4Endpoint(host: "10.0.0.3", port: 6000)!)
        let add = r.elements([leg], add: true)
        #expect(add.contains("add element ip tb leg_mark { 10.0.0.2 . 5000 . 10.0.0.1 . 50000 : 0x3 }"))
        #expect(add.contains("add element ip tb out_dport { 0x3 : 6000 }"))
        #expect(add.contains("add element ip tb out_sport { 0x3 : 50002 }"))
        let del = r.elements([leg], add: false)
        #expect(del.contains("delete element ip tb leg_mark { 10.0.0.2 . 5000 . 10.0.0.1 . 50000 }"))
        #expect(r.elements([], add: true).isEmpty)
    }

    @Test func latencyDistributionFromHistogram() {
        var h = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        for v in 1...1000 { _ = h.record(UInt64(v) * 1000) }  // 1 µs ... 1 ms
        let d = LatencyDistribution(nanoseconds: h)
        #expect(d.cdf.first?.percentile == 0 && d.cdf.last?.percentile == 100)
        #expect(d.cdf.last.map { $0.microseconds >= 999 && $0.microseconds <= 1001 } == true)
        #expect(zip(d.cdf, d.cdf.dropFirst()).allSatisfy { $0.microseconds <= $1.microseconds })
        #expect(d.buckets.reduce(0) { $0 + $1.count } >= 1000)
        #expect(LatencyDistribution(nanoseconds: Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 1000,
                                                                   numberOfSignificantValueDigits: .three)).cdf.isEmpty)
    }

    @Test func progressText() {
        let p = LoadProgress(phase: "rtp", elapsedSeconds: 1, secondsLeft: 4.2, rate: 99_812, unit: "pps", lossFraction: 0.0001)
        #expect(p.text == "rtp · 5 s left · 99,812 pps · loss 0.010%")
        #expect(LoadProgress.grouped(-1234) == "-1,234" && LoadProgress.grouped(12) == "12")
    }
}
