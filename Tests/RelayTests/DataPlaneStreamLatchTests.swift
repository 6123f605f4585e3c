import CShims
import Testing
@testable import Relay

/// The latching policy alone (sans I/O): a stream slot in plain memory and an injected clock.
@Suite struct DataPlaneStreamLatchTests {
    final class Slot {
        let pointer = UnsafeMutablePointer<tdm_stream>.allocate(capacity: 1)
        init(flags: ForwardingFlags = [], window: LearningWindow) {
            pointer.initialize(to: tdm_stream())
            tdm_stream_prepare(pointer, -1, 0, AF_INET)
            pointer.pointee.flags = flags.rawValue
            pointer.pointee.learn_packets_limit = window.packets
            pointer.pointee.learn_window_ns = window.nanoseconds
        }
        deinit { pointer.deallocate() }

        /// The worker counters `admit` bumps (`latch_locks`).
        var counters = tdm_worker_counters()

        func admit(_ source: SocketEndpoint, at seconds: Double) -> LatchVerdict {
            var raw = source.raw
            return StreamLatch.admit(pointer, source: &raw.sa, sourceLength: raw.len, now: UInt64(seconds * 1e9),
                                     counters: &counters)
        }
        var learned: SocketEndpoint? { SocketEndpoint(pointer.pointee.learned) }
    }

    let x = SocketEndpoint.ipv4(10, 0, 0, 1, port: 4000)
    let y = SocketEndpoint.ipv4(10, 0, 0, 2, port: 4000)
    let xOtherPort = SocketEndpoint.ipv4(10, 0, 0, 1, port: 4002)

    @Test func timeWindowRelearnsThenLocks() {
        let slot = Slot(window: LearningWindow(packets: 0, nanoseconds: 1_000_000_000))
        #expect(slot.admit(x, at: 10.0) == .accept)
        #expect(slot.admit(y, at: 10.5) == .accept)
        #expect(slot.learned == y)
        #expect(slot.admit(y, at: 11.2) == .accept)
        #expect(slot.latch == UInt32(TDM_LATCH_LOCKED))
        #expect(slot.admit(x, at: 11.3) == .dropBleed)
        #expect(slot.admit(xOtherPort, at: 12) == .dropBleed)
        #expect(slot.learned == y)
    }

    /// Each transition to locked is counted once (the kernel offload check runs only when the total moved).
    @Test func locksAreCountedOnce() {
        let slot = Slot(window: LearningWindow(packets: 0, nanoseconds: 1_000_000_000))
        #expect(slot.admit(x, at: 10.0) == .accept)
        #expect(slot.counters.latch_locks == 0)
        #expect(slot.admit(x, at: 11.5) == .accept)
        #expect(slot.latch == UInt32(TDM_LATCH_LOCKED))
        #expect(slot.admit(x, at: 12) == .accept)
        #expect(slot.counters.latch_locks == 1)
    }

    @Test func packetWindowOfOneLocksOnFirstPacket() {
        let slot = Slot(window: LearningWindow(packets: 1, nanoseconds: 0))
        #expect(slot.admit(x, at: 1) == .accept)
        #expect(slot.latch == UInt32(TDM_LATCH_LOCKED))
        #expect(slot.admit(y, at: 1) == .dropBleed)
    }

    @Test func strictSourceBeatsHandover() {
        let slot = Slot(flags: [.strictSource, .mediaHandover], window: .standard)
        #expect(slot.admit(x, at: 1) == .accept)
        #expect(slot.admit(y, at: 1.1) == .dropStrictSource)
        #expect(slot.learned == x)
    }

    @Test func handoverTakesOverAfterLock() {
        let slot = Slot(flags: .mediaHandover, window: LearningWindow(packets: 1, nanoseconds: 0))
        #expect(slot.admit(x, at: 1) == .accept)
        #expect(slot.admit(y, at: 100) == .accept)
        #expect(slot.learned == y && slot.pointer.pointee.counters.source_changes == 1)
    }

    /// The SDP endpoint needs no learning: its first packet locks (so kernel offload need not wait 3 s), and a
    /// stranger seen first is replaced by it within the window and then locked out.
    @Test func advertisedSourceLocksAtOnce() {
        let slot = Slot(window: .standard)
        slot.pointer.pointee.advertised = x.raw
        #expect(slot.admit(x, at: 1) == .accept)
        #expect(slot.latch == UInt32(TDM_LATCH_LOCKED))
        #expect(slot.admit(y, at: 1.1) == .dropBleed)

        let late = Slot(window: .standard)
        late.pointer.pointee.advertised = x.raw
        #expect(late.admit(y, at: 1) == .accept)
        #expect(late.latch == UInt32(TDM_LATCH_LEARNING))
        #expect(late.admit(x, at: 1.5) == .accept)
        #expect(late.latch == UInt32(TDM_LATCH_LOCKED) && late.learned == x)
        #expect(late.admit(y, at: 1.6) == .dropBleed)
    }

    /// An asymmetric stream's advertised endpoint is where it sends to, not a vouched-for source.
    @Test func asymmetricAdvertisedSourceStillLearns() {
        let slot = Slot(flags: .asymmetric, window: .standard)
        slot.pointer.pointee.advertised = x.raw
        #expect(slot.admit(x, at: 1) == .accept)
        #expect(slot.latch == UInt32(TDM_LATCH_LEARNING))
    }

    @Test func destinationPrefersLearnedUnlessAsymmetric() {
        let slot = Slot(window: .standard)
        var out = sockaddr_in6()
        #expect(StreamLatch.destination(from: slot.pointer, into: &out) == 0)
        slot.pointer.pointee.advertised = y.raw
        #expect(StreamLatch.destination(from: slot.pointer, into: &out) == UInt32(MemoryLayout<sockaddr_in>.size))
        #expect(slot.admit(x, at: 1) == .accept)
        _ = StreamLatch.destination(from: slot.pointer, into: &out)
        #expect(SocketEndpoint(tdm_endpoint(sa: out, len: UInt32(MemoryLayout<sockaddr_in>.size))) == x)
        slot.pointer.pointee.flags = ForwardingFlags.asymmetric.rawValue
        _ = StreamLatch.destination(from: slot.pointer, into: &out)
        #expect(SocketEndpoint(tdm_endpoint(sa: out, len: UInt32(MemoryLayout<sockaddr_in>.size))) == y)
    }

    @Test func ipv4DestinationFromAnIPv6SocketIsMapped() {
        let slot = Slot(window: .standard)
        slot.pointer.pointee.family = AF_INET6
        slot.pointer.pointee.advertised = y.raw
        var out = sockaddr_in6()
        #expect(StreamLatch.destination(from: slot.pointer, into: &out) == UInt32(MemoryLayout<sockaddr_in6>.size))
        let mapped = SocketEndpoint(tdm_endpoint(sa: out, len: UInt32(MemoryLayout<sockaddr_in6>.size)))
        #expect(mapped == SocketEndpoint(address: "::ffff:10.0.0.2", port: 4000))
    }
}

extension DataPlaneStreamLatchTests.Slot {
    var latch: UInt32 { pointer.pointee.latch }
}
