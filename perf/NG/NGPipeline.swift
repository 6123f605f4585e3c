import Histogram
import Relay
import CShims

/// Drives many scripted calls over one ng UDP socket with at most `window` requests in flight.
///
/// Replies are matched by cookie; each request is sent once (no retransmission: a perf client that retransmits
/// hides overload) and counts as a timeout if no reply comes within `timeoutMilliseconds`. A call whose offer
/// succeeded still gets its delete when a later step fails, so a failed run does not leak sessions in the relay.
public final class NGPipeline {
    public let relay: IPv4Endpoint
    public let window: Int
    public let timeoutMilliseconds: Int
    private let socket: NonBlockingUDPSocket
    private let cookiePrefix: String
    private var nextCookie: UInt64 = 0

    /// Per-command latency in nanoseconds (request sent → reply received).
    public private(set) var latency: [NGCallStep: Histogram<UInt64>] = [:]
    public private(set) var repliesOK: UInt64 = 0
    public private(set) var errorReplies: UInt64 = 0
    public private(set) var timeouts: UInt64 = 0
    public private(set) var undecodableReplies: UInt64 = 0
    /// The first few error reasons, for the report.
    public private(set) var sampleErrors: [String] = []

    private struct Slot {
        var script: NGCallScript
        var tag: Int
        var stepIndex: Int
        var cookie: [UInt8]
        var sentAt: UInt64
        var outcome: NGCallOutcome
        var offerSucceeded: Bool
    }

    public init(relay: IPv4Endpoint, window: Int = 16, timeoutMilliseconds: Int = 2000) throws(NonBlockingUDPSocket.SocketError) {
        self.relay = relay
        self.window = max(1, window)
        self.timeoutMilliseconds = max(1, timeoutMilliseconds)
        // Any address: the relay may sit behind a route (another namespace), where a loopback-bound socket cannot reach.
        socket = try NonBlockingUDPSocket(bindingTo: IPv4Endpoint(host: "0.0.0.0", port: 0)!, bufferBytes: 4 << 20)
        cookiePrefix = "tp\(UInt32.random(in: 0...UInt32.max) & 0xFFFFFF)_"
        for step in NGCallStep.allCases {
            latency[step] = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000,
                                              numberOfSignificantValueDigits: .three)
        }
    }

    private var slots: [Slot] = []
    private var byCookie: [[UInt8]: Int] = [:]
    private var onCompleted: ((Int, NGCallScript, NGCallOutcome) -> Void)?

    /// Runs scripts from `next` (tagged with an integer the caller picks) until it returns nil or the monotonic
    /// deadline passes, then waits for the calls in flight. `completed` sees every call's outcome.
    public func run(deadlineNanoseconds: UInt64? = nil,
                    next: () -> (tag: Int, script: NGCallScript)?,
                    completed: @escaping (Int, NGCallScript, NGCallOutcome) -> Void,
                    tick: ((UInt64) -> Void)? = nil) {
        onCompleted = completed
        defer { onCompleted = nil }
        var exhausted = false
        let timeoutNs = UInt64(timeoutMilliseconds) * 1_000_000
        while true {
            let now = tdp_monotonic_ns()
            if let deadline = deadlineNanoseconds, now >= deadline { exhausted = true }
            while !exhausted, slots.count < window {
                guard let item = next() else { exhausted = true; break }
                guard !item.script.steps.isEmpty else { continue }
                slots.append(Slot(script: item.script, tag: item.tag, stepIndex: 0, cookie: [], sentAt: 0,
                                  outcome: NGCallOutcome(), offerSucceeded: false))
                sendCurrentStep(slots.count - 1)
            }
            if slots.isEmpty { break }
            tick?(now)
            if let bytes = socket.receive(timeoutMilliseconds: 5) { handleReply(bytes) }
            // Expire requests that waited too long.
            let later = tdp_monotonic_ns()
            var i = 0
            while i < slots.count {
                if later &- slots[i].sentAt > timeoutNs {
                    timeouts += 1
                    let step = slots[i].script.steps[slots[i].stepIndex]
                    if slots[i].outcome.failure == nil { slots[i].outcome.failure = (step, "timeout") }
                    let before = slots.count
                    advance(i, failed: true)
                    if slots.count < before { continue }  // slot i now holds another call; look at it too
                }
                i += 1
            }
        }
    }

    private func sendCurrentStep(_ index: Int) {
        let step = slots[index].script.steps[slots[index].stepIndex]
        nextCookie += 1
        let cookie = Array("\(cookiePrefix)\(nextCookie)".utf8)
        let bytes = NGMessage.encode(cookie: cookie, encoding: .bencode, dictionary: slots[index].script.request(for: step))
        slots[index].cookie = cookie
        slots[index].sentAt = tdp_monotonic_ns()
        byCookie[cookie] = index
        // A send the kernel refuses is treated like a lost request: it times out.
        _ = socket.send(bytes, to: relay)
    }

    /// Moves a slot to its next step, or finishes it (and frees the slot by moving the last one into it).
    private func advance(_ index: Int, failed: Bool) {
        var slot = slots[index]
        byCookie[slot.cookie] = nil
        var nextIndex = slot.stepIndex + 1
        if failed {
            if slot.offerSucceeded, let d = slot.script.steps.firstIndex(of: .delete), d > slot.stepIndex {
                nextIndex = d
            } else {
                nextIndex = slot.script.steps.count
            }
        }
        slot.stepIndex = nextIndex
        slots[index] = slot
        if nextIndex < slot.script.steps.count {
            sendCurrentStep(index)
            return
        }
        onCompleted?(slot.tag, slot.script, slot.outcome)
        let last = slots.count - 1
        if index != last {
            slots[index] = slots[last]
            byCookie[slots[index].cookie] = index
        }
        slots.removeLast()
    }

    private func handleReply(_ bytes: [UInt8]) {
        guard let message = try? NGMessage(decoding: bytes) else {
            undecodableReplies += 1
            return
        }
        guard let index = byCookie[message.cookie], index < slots.count else { return }  // late or foreign
        let step = slots[index].script.steps[slots[index].stepIndex]
        let elapsed = tdp_monotonic_ns() &- slots[index].sentAt
        _ = latency[step]?.record(max(1, min(elapsed, 60_000_000_000)))
        let result = message.dictionary["result"]?.stringValue ?? ""
        guard result == "ok" else {
            errorReplies += 1
            let reason = message.dictionary["error-reason"]?.stringValue ?? "result=\(result)"
            if sampleErrors.count < 5 { sampleErrors.append("\(step.rawValue): \(reason)") }
            if slots[index].outcome.failure == nil { slots[index].outcome.failure = (step, reason) }
            advance(index, failed: true)
            return
        }
        repliesOK += 1
        switch step {
        case .offer:
            slots[index].offerSucceeded = true
            slots[index].outcome.offerReplySDP = message.dictionary["sdp"]?.bytes
        case .answer:
            slots[index].outcome.answerReplySDP = message.dictionary["sdp"]?.bytes
        case .delete:
            break
        }
        advance(index, failed: slots[index].outcome.failure != nil && step != .delete)
    }
}
