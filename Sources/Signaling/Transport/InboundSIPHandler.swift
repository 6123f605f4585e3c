/// Receives what the transport reads, synchronously, on the event loop thread that read it.
///
/// Why a synchronous call rather than an `AsyncStream` or a `Task` per message: at tens of thousands of datagrams
/// a second, a task or an actor hop per message costs more than parsing it. A synchronous call on the event loop is
/// free, keeps the UDP batch buffer reusable, and lets the implementation choose its own hand-off (parse in place
/// and shard by Call-ID to a worker, or enqueue). The price: `handle` runs on one of several event loop threads at
/// once, so implementations must be `Sendable` and thread-safe, and must not block (no I/O, no waiting on locks held
/// for long). Calling back into the transport (`send`, `ping`) from `handle` is allowed.
///
/// `InboundSIPStream` adapts this to an `AsyncStream` with a bounded buffer, for consumers that prefer `for await`.
public protocol InboundSIPHandler: Sendable {
    /// Called for every event; `transport` is the transport that read it, so replies need no stored reference.
    func handle(_ event: TransportEvent, transport: SIPTransport)
}
