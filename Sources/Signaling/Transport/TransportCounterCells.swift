import Synchronization

/// The live counters behind `TransportCounters`: one relaxed atomic per field.
///
/// Why atomics and not per-loop counters: every event loop thread updates them, and a relaxed atomic add is a few
/// nanoseconds, well below a system call per datagram; a snapshot needs no hop to every loop.
final class TransportCounterCells: Sendable {
    let datagramsIn = Atomic<UInt64>(0)
    let datagramsOut = Atomic<UInt64>(0)
    let datagramBytesIn = Atomic<UInt64>(0)
    let datagramBytesOut = Atomic<UInt64>(0)
    let datagramKeepalivesIn = Atomic<UInt64>(0)
    let streamMessagesIn = Atomic<UInt64>(0)
    let streamMessagesOut = Atomic<UInt64>(0)
    let streamBytesIn = Atomic<UInt64>(0)
    let streamBytesOut = Atomic<UInt64>(0)
    let pingsReceived = Atomic<UInt64>(0)
    let pingsSent = Atomic<UInt64>(0)
    let pongsReceived = Atomic<UInt64>(0)
    let framingErrors = Atomic<UInt64>(0)
    let oversizeDrops = Atomic<UInt64>(0)
    let connectionsAccepted = Atomic<UInt64>(0)
    let connectionsOpened = Atomic<UInt64>(0)
    let connectionsClosed = Atomic<UInt64>(0)
    let idleClosures = Atomic<UInt64>(0)
    let connectFailures = Atomic<UInt64>(0)
    let sendFailures = Atomic<UInt64>(0)
    let receiveErrors = Atomic<UInt64>(0)
    let datagramListenerReopens = Atomic<UInt64>(0)
    let keepaliveTwinDatagramsIn = Atomic<UInt64>(0)
    let keepaliveTwinDatagramsOut = Atomic<UInt64>(0)
    let keepaliveTwinFailures = Atomic<UInt64>(0)

    init() {}

    var snapshot: TransportCounters {
        var s = TransportCounters()
        s.datagramsIn = self.datagramsIn.load(ordering: .relaxed)
        s.datagramsOut = self.datagramsOut.load(ordering: .relaxed)
        s.datagramBytesIn = self.datagramBytesIn.load(ordering: .relaxed)
        s.datagramBytesOut = self.datagramBytesOut.load(ordering: .relaxed)
        s.datagramKeepalivesIn = self.datagramKeepalivesIn.load(ordering: .relaxed)
        s.streamMessagesIn = self.streamMessagesIn.load(ordering: .relaxed)
        s.streamMessagesOut = self.streamMessagesOut.load(ordering: .relaxed)
        s.streamBytesIn = self.streamBytesIn.load(ordering: .relaxed)
        s.streamBytesOut = self.streamBytesOut.load(ordering: .relaxed)
        s.pingsReceived = self.pingsReceived.load(ordering: .relaxed)
        s.pingsSent = self.pingsSent.load(ordering: .relaxed)
        s.pongsReceived = self.pongsReceived.load(ordering: .relaxed)
        s.framingErrors = self.framingErrors.load(ordering: .relaxed)
        s.oversizeDrops = self.oversizeDrops.load(ordering: .relaxed)
        s.connectionsAccepted = self.connectionsAccepted.load(ordering: .relaxed)
        s.connectionsOpened = self.connectionsOpened.load(ordering: .relaxed)
        s.connectionsClosed = self.connectionsClosed.load(ordering: .relaxed)
        s.idleClosures = self.idleClosures.load(ordering: .relaxed)
        s.connectFailures = self.connectFailures.load(ordering: .relaxed)
        s.sendFailures = self.sendFailures.load(ordering: .relaxed)
        s.receiveErrors = self.receiveErrors.load(ordering: .relaxed)
        s.datagramListenerReopens = self.datagramListenerReopens.load(ordering: .relaxed)
        s.keepaliveTwinDatagramsIn = self.keepaliveTwinDatagramsIn.load(ordering: .relaxed)
        s.keepaliveTwinDatagramsOut = self.keepaliveTwinDatagramsOut.load(ordering: .relaxed)
        s.keepaliveTwinFailures = self.keepaliveTwinFailures.load(ordering: .relaxed)
        let opened = s.connectionsAccepted &+ s.connectionsOpened
        s.connectionsOpen = opened >= s.connectionsClosed ? opened - s.connectionsClosed : 0
        return s
    }
}

extension Atomic where Value == UInt64 {
    /// Adds `amount` with relaxed ordering: no other memory is published through a counter.
    @inline(__always)
    func bump(_ amount: Int = 1) {
        self.wrappingAdd(UInt64(truncatingIfNeeded: amount), ordering: .relaxed)
    }
}
