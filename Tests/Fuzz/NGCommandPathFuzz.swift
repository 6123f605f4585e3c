// libFuzzer target for the whole ng command path: datagram → NGMessage → NGCommand → NGCommandHandler →
// SessionTable → (no-op) executor → SDP rewrite → reply encoding. Build (the folders import only the stdlib):
//   swiftc -sanitize=fuzzer,address -parse-as-library -O Sources/Relay/Control/Codec/*.swift \
//     Sources/Relay/Control/Handler/*.swift Sources/Relay/SDP/*.swift Sources/Relay/Sessions/*.swift \
//     Tests/Fuzz/NGCommandPathFuzz.swift -o /tmp/ngpathfuzz
// Run: /tmp/ngpathfuzz -max_total_time=120 Tests/Fuzz/corpus/ng
//
// One handler lives across inputs (so offers, answers, deletes and the clock interact as in a real relay), with a
// tiny port range so exhaustion is reached. Checks: nothing traps; every datagram with a cookie gets a reply that
// decodes and starts with that cookie; ports held never exceed the range; the session table stays consistent
// with what the executor holds open.

nonisolated(unsafe) private var fuzzHandler: NGCommandHandler<NullMediaPlaneExecutor> = {
    let interfaces = [
        RelayInterface(name: "default", address: .v4(0x7F00_0001), portMin: 30000, portMax: 30015),
        RelayInterface(name: "pub", address: .v6(high: 0, low: 1), portMin: 40000, portMax: 40007),
    ]
    return NGCommandHandler(sessions: SessionTable(configuration: SessionConfiguration(
        interfaces: interfaces, timeout: 5, silentTimeout: 10, offerTimeout: 10, finalTimeout: 600, deleteDelay: 2)),
        executor: NullMediaPlaneExecutor(), cookieCache: CookieCache(capacity: 64, lifetimeSeconds: 30))
}()
nonisolated(unsafe) private var fuzzClock: Int64 = 1_800_000_000_000_000

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNGCommandPath(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // The first byte (when present) advances the clock by up to 2.55 s, so timeouts and delayed deletes happen.
    fuzzClock &+= Int64(bytes.first ?? 0) * 10_000
    let now = SessionTime(microseconds: fuzzClock)
    let handler = fuzzHandler
    let exchange = handler.handle(bytes, at: now)
    if let cookie = NGMessage.cookie(of: bytes) {
        guard let reply = exchange.reply else { preconditionFailure("no reply for a message with a cookie") }
        precondition(reply.starts(with: cookie + [0x20]), "reply does not carry the cookie")
        var limits = NGLimits.default
        limits.maxMessageBytes = Int.max
        limits.maxStringBytes = Int.max
        limits.maxItems = Int.max
        guard let decoded = try? NGMessage(decoding: reply, limits: limits) else {
            preconditionFailure("reply does not decode")
        }
        precondition(decoded.dictionary["result"] != nil, "reply without result")
    }
    if (bytes.last ?? 0) & 0x7 == 0 { handler.tick(at: now) }
    let statistics = handler.sessions.statistics()
    let used = statistics.ports.reduce(0) { $0 + $1.used }
    precondition(used <= 24, "more ports used than exist")
    precondition(handler.executor.openSockets.count == used, "executor and session table disagree on open sockets")
    return 0
}
