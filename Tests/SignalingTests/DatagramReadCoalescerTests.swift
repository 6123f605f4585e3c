import NIOCore
import NIOEmbedded
@testable import Signaling
import Testing

/// The UDP read coalescer delays the next read only after a small read, and never under load.
@Suite struct DatagramReadCoalescerTests {
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
            DatagramReadCoalescer(delay: .milliseconds(1), busyReadCount: 4))
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

    func datagram(_ channel: EmbeddedChannel, _ text: String) throws -> AddressedEnvelope<ByteBuffer> {
        AddressedEnvelope(remoteAddress: try SocketAddress(ipAddress: "127.0.0.1", port: 5090),
                          data: channel.allocator.buffer(string: text))
    }

    static let optionsReply = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKka1\r\n" +
        "Call-ID: ka-1\r\nCSeq: 7 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    static let inviteReply = "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\n" +
        "Call-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"

    /// Keepalive replies alone wait the background delay; one datagram anybody waits on brings back the short one.
    @Test func readsOfOptionsRepliesAloneWaitLonger() throws {
        let counter = ReadCounter()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(
            DatagramReadCoalescer(delay: .milliseconds(1), busyReadCount: 4, backgroundDelay: .milliseconds(20)))
        let loop = channel.embeddedEventLoop
        channel.read()
        #expect(counter.reads == 1)

        try channel.writeInbound(try datagram(channel, Self.optionsReply))
        try channel.writeInbound(try datagram(channel, Self.optionsReply))
        channel.read()
        loop.advanceTime(by: .milliseconds(19))
        #expect(counter.reads == 1)
        loop.advanceTime(by: .milliseconds(1))
        #expect(counter.reads == 2)

        try channel.writeInbound(try datagram(channel, Self.optionsReply))
        try channel.writeInbound(try datagram(channel, Self.inviteReply))
        channel.read()
        loop.advanceTime(by: .milliseconds(1))
        #expect(counter.reads == 3)

        for _ in 0..<4 { try channel.writeInbound(try datagram(channel, Self.optionsReply)) }
        channel.read()  // busy, even if all background
        #expect(counter.reads == 4)

        while let _ = try channel.readInbound(as: AddressedEnvelope<ByteBuffer>.self) {}
        _ = try channel.finish()
    }

    @Test func optionsResponsesAreBackgroundOtherMessagesAreNot() {
        func check(_ text: String) -> Bool {
            Array(text.utf8).withUnsafeBytes { BackgroundDatagram.isOptionsResponse($0) }
        }
        #expect(check(Self.optionsReply))
        #expect(check("SIP/2.0 404 Not Found\r\nCSeq: 1 OPTIONS\r\nVia: x\r\n\r\n"))
        #expect(!check(Self.inviteReply))
        #expect(!check("OPTIONS sip:a@b SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\n"))  // a request: answered by us
        #expect(!check("SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n\r\nOPTIONS\r\n"))  // only the head counts
        #expect(!check("SIP/2.0 200"))
        #expect(!check(""))
    }

    @Test func zeroDelayNeverDefers() throws {
        let counter = ReadCounter()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(DatagramReadCoalescer(delay: .zero, busyReadCount: 16))
        try channel.writeInbound(try datagram(channel))
        channel.read()
        #expect(counter.reads == 1)
        _ = try channel.readInbound(as: AddressedEnvelope<ByteBuffer>.self)
        _ = try channel.finish()
    }
}
