import NIOConcurrencyHelpers
import NIOCore

/// An `InboundSIPHandler` that forwards events into an `AsyncStream` with a bounded buffer.
///
/// For consumers that want `for await event in stream.events`. One `yield` per message, no task per message. When
/// the consumer falls behind by more than `bufferLimit` events, new events are dropped (and counted): for SIP over
/// UDP the sender retransmits, which is better than unbounded memory growth under overload. Message bytes are
/// copied into a right-sized buffer so that a queued message does not pin NIO's whole receive batch buffer.
public final class InboundSIPStream: InboundSIPHandler {
    /// The events, in arrival order per connection or socket.
    public let events: AsyncStream<TransportEvent>
    private let continuation: AsyncStream<TransportEvent>.Continuation
    private let droppedCount = NIOLockedValueBox<Int>(0)

    /// - Parameter bufferLimit: how many events may wait for the consumer before new ones are dropped.
    public init(bufferLimit: Int = 4096) {
        (self.events, self.continuation) = AsyncStream.makeStream(
            of: TransportEvent.self,
            bufferingPolicy: .bufferingOldest(max(bufferLimit, 1))
        )
    }

    /// How many events were dropped because the buffer was full.
    public var dropped: Int { self.droppedCount.withLockedValue { $0 } }

    public func handle(_ event: TransportEvent, transport: SIPTransport) {
        let queued: TransportEvent
        switch event {
        case .message(var message):
            message.bytes = ByteBuffer(buffer: message.bytes)  // copy: do not pin the receive batch buffer
            queued = .message(message)
        case .connectionClosed:
            queued = event
        }
        if case .dropped = self.continuation.yield(queued) {
            self.droppedCount.withLockedValue { $0 += 1 }
        }
    }

    /// Ends the stream; call after the transport has shut down.
    public func finish() {
        self.continuation.finish()
    }
}
