#if canImport(Glibc)
import Glibc
#endif
import Relay

/// The calls of one run: two loopback sockets per call (caller endpoint `2c`, callee endpoint `2c+1`) and, once
/// the relay answered, the relay address each endpoint must send to.
///
/// Set-up is offer (caller's SDP) then answer (callee's SDP). The offer reply carries the relay port for the
/// callee to send to, the answer reply the one for the caller. A call whose exchange failed is left out of the
/// media phase (its streams are simply not active) and reported as a set-up error.
public final class RTPCallSet {
    public let configuration: RTPLoadConfiguration
    public private(set) var sockets: [NonBlockingUDPSocket] = []
    /// Per endpoint: where it sends (nil until set up, or when set-up failed).
    public private(set) var destinations: [IPv4Endpoint?] = []
    public private(set) var established: [Bool] = []
    public private(set) var setupErrors = 0
    public private(set) var teardownErrors = 0
    public private(set) var errorSamples: [String] = []
    private let runTag = UInt32.random(in: 0...UInt32.max)

    public init(configuration: RTPLoadConfiguration) throws(NonBlockingUDPSocket.SocketError) {
        self.configuration = configuration
        _ = FileDescriptorLimit.raise(toAtLeast: UInt64(configuration.streamCount + 1024))
        guard let bind = IPv4Endpoint(host: configuration.localAddress, port: 0) else {
            throw NonBlockingUDPSocket.SocketError(operation: "local address \(configuration.localAddress)", errno: EINVAL)
        }
        sockets.reserveCapacity(configuration.streamCount)
        for _ in 0..<configuration.streamCount {
            sockets.append(try NonBlockingUDPSocket(bindingTo: bind, bufferBytes: configuration.socketBufferBytes, timestamps: true))
        }
        destinations = Array(repeating: nil, count: configuration.streamCount)
        established = Array(repeating: false, count: configuration.calls)
    }

    func script(forCall call: Int, steps: [NGCallStep]) -> NGCallScript {
        let base = "tandem-perf-\(runTag)-\(call)"
        let a = sockets[2 * call].local, b = sockets[2 * call + 1].local
        return NGCallScript(
            callID: base, fromTag: "\(base)-a", toTag: "\(base)-b",
            offerSDP: NGCallScript.audioSDP(address: a.host, port: a.port, sessionID: UInt64(call) + 1,
                                            ptime: configuration.ptimeMilliseconds),
            answerSDP: NGCallScript.audioSDP(address: b.host, port: b.port, sessionID: UInt64(call) + 1_000_001,
                                             ptime: configuration.ptimeMilliseconds),
            steps: steps)
    }

    /// Offer + answer for every call, `setupWindow` at a time.
    public func setUp() throws(NonBlockingUDPSocket.SocketError) {
        let pipeline = try NGPipeline(relay: configuration.relay, window: configuration.setupWindow,
                                      timeoutMilliseconds: configuration.ngTimeoutMilliseconds)
        var next = 0
        pipeline.run(next: {
            guard next < self.configuration.calls else { return nil }
            defer { next += 1 }
            return (next, self.script(forCall: next, steps: [.offer, .answer]))
        }, completed: { call, _, outcome in
            guard outcome.succeeded,
                  let toCallee = outcome.offerReplySDP.flatMap(NGCallScript.mediaEndpoint(inSDP:)),
                  let toCaller = outcome.answerReplySDP.flatMap(NGCallScript.mediaEndpoint(inSDP:)) else {
                self.setupErrors += 1
                if let f = outcome.failure, self.errorSamples.count < 5 {
                    self.errorSamples.append("call \(call) \(f.step.rawValue): \(f.reason)")
                } else if outcome.failure == nil, self.errorSamples.count < 5 {
                    self.errorSamples.append("call \(call): reply SDP without a usable IPv4 media endpoint")
                }
                return
            }
            self.destinations[2 * call] = toCaller
            self.destinations[2 * call + 1] = toCallee
            self.established[call] = true
        })
    }

    /// Deletes every call that was set up.
    public func tearDown() {
        guard let pipeline = try? NGPipeline(relay: configuration.relay, window: configuration.setupWindow,
                                             timeoutMilliseconds: configuration.ngTimeoutMilliseconds) else {
            teardownErrors = established.filter { $0 }.count
            return
        }
        let calls = established.indices.filter { established[$0] }
        var next = 0
        pipeline.run(next: {
            guard next < calls.count else { return nil }
            defer { next += 1 }
            return (calls[next], self.script(forCall: calls[next], steps: [.delete]))
        }, completed: { _, _, outcome in
            if !outcome.succeeded { self.teardownErrors += 1 }
        })
    }

    public var establishedCount: Int { established.filter { $0 }.count }
}
