@testable import Relay

/// A data plane stand-in whose streams' counters and last packet the test sets (as if media arrived), and which
/// counts how often the handler pulls them: the clock must pull only the streams of due calls, never all.
final class ScriptedMediaPlaneExecutor: MediaPlaneExecutor {
    struct StreamState {
        var packets: UInt64 = 0
        var bytes: UInt64 = 0
        var lastPacket: SessionTime?
        var learned: MediaEndpoint?
        var inKernel = false
    }

    /// What "the data plane" saw per stream; streams not here have no report (not open).
    var state: [MediaStreamID: StreamState] = [:]
    /// Streams pulled one by one (`report(for:at:)`), in order.
    private(set) var pulled: [MediaStreamID] = []
    /// Calls of the full walk (`reports(at:)`).
    private(set) var fullWalks = 0

    func execute(_ actions: [DataPlaneAction], callID: String?) -> [LocalSocket] { [] }

    func report(for stream: MediaStreamID, at now: SessionTime) -> MediaStreamReport? {
        pulled.append(stream)
        return makeReport(stream)
    }

    func reports(at now: SessionTime) -> [MediaStreamReport] {
        fullWalks += 1
        return state.keys.sorted { $0.rawValue < $1.rawValue }.compactMap(makeReport)
    }

    /// Media arrived on `stream` at `time`: one more packet of 172 bytes.
    func receive(on stream: MediaStreamID, at time: SessionTime) {
        var entry = state[stream] ?? StreamState()
        entry.packets += 1
        entry.bytes += 172
        entry.lastPacket = time
        state[stream] = entry
    }

    func forgetPulls() { pulled.removeAll() }

    private func makeReport(_ stream: MediaStreamID) -> MediaStreamReport? {
        guard let entry = state[stream] else { return nil }
        return MediaStreamReport(stream: stream, counters: MediaCounters(packets: entry.packets, bytes: entry.bytes),
                                 lastPacket: entry.lastPacket, learned: entry.learned, inKernel: entry.inKernel)
    }
}
