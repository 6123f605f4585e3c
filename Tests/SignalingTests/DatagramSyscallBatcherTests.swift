import NIOCore
import NIOEmbedded
@testable import Signaling
import Testing

/// The UDP syscall batcher delays the next read only after a small read, and never under load; it
/// holds flushes back during a read burst only.
@Suite struct DatagramSyscallBatcherTests {
    /// Counts the reads that reach the channel (it sits between the coalescer and the head).
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = AddressedEnvelope<ByteBuffer>
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    func datagram(_ channel: EmbeddedChannel) throws -> AddressedEnvelope<ByteBuffer> {
        AddressedEnvelope(remoteAddress: try SocketAddress(ipAddress: "127.0.0.1", port: 5090),
                          data: channel.allocator.buffer(string: "SIP/2.0 200 OK\r\n\r\n"))
    }

    @Test func smallReadDefersTheNextReadBusyReadDoesNot() throws {
        let counter = ReadCounter()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(
            DatagramSyscallBatcher(delay: .milliseconds(1), busyReadCount: 4))
        let loop = channel.embeddedEventLoop

        channel.read()  // nothing read yet: at once
        #expect(counter.reads == 1)

        try channel.writeInbound(try datagram(channel))
        channel.read()  // one datagram: deferred
        #expect(counter.reads == 1)
        channel.read()  // a second request while deferred adds nothing
        loop.advanceTime(by: .microseconds(999))
        #expect(counter.reads == 1)
        loop.advanceTime(by: .microseconds(1))
        #expect(counter.reads == 2)

        for _ in 0..<4 { try channel.writeInbound(try datagram(channel)) }
        channel.read()  // a full read: the socket is busy, read again at once
        #expect(counter.reads == 3)

        while let _ = try channel.readInbound(as: AddressedEnvelope<ByteBuffer>.self) {}
        _ = try channel.finish()
    }

    @Test func zeroDelayNeverDefers() throws {
        let counter = ReadCounter()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(DatagramSyscallBatcher(delay: .zero, busyReadCount: 16))
        try channel.writeInbound(try datagram(channel))
        channel.read()
        #expect(counter.reads == 1)
        _ = try channel.readInbound(as: AddressedEnvelope<ByteBuffer>.self)
        _ = try channel.finish()
    }

    /// Answers every datagram with `writeAndFlush`, as the edge does from its read callback.
    final class Echo: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.writeAndFlush(data, promise: nil)
        }
    }

    @Test func flushesWaitForTheEndOfAReadBurstOnly() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(DatagramSyscallBatcher(delay: .zero, busyReadCount: 16))
        try channel.pipeline.syncOperations.addHandler(Echo())
        for _ in 0..<3 { channel.pipeline.fireChannelRead(try datagram(channel)) }
        #expect(try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) == nil)  // held back
        channel.pipeline.fireChannelReadComplete()
        var answers = 0
        while try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) != nil { answers += 1 }
        #expect(answers == 3)
        // Outside a read burst (a timer's send): at once.
        try channel.writeAndFlush(try datagram(channel)).wait()
        #expect(try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) != nil)
        _ = try channel.finish()
    }
}
