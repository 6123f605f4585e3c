import NIOCore
import NIOPosix

/// A minimal HTTP/1.0 responder for the admin API, on the edge's own loop so that requests read
/// the core directly (no lock, no copy hand-off). One request per connection, then close; heads
/// over 16 KiB are refused. Hand-written like the relay's `MetricsHTTPListener`: the package does
/// not depend on NIOHTTP1, and `GET /bindings` needs nothing more.
enum EdgeAdminHTTPServer {
    static func bind(host: String, port: Int, group: any EventLoopGroup, core: NIOLoopBoundBox<EdgeCore?>) async throws
        -> any Channel
    {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(EdgeAdminHTTPHandler(core: core))
                }
            }
            .bind(host: host, port: port).get()
    }
}

final class EdgeAdminHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let core: NIOLoopBoundBox<EdgeCore?>
    private var head: [UInt8] = []
    private var answered = false

    init(core: NIOLoopBoundBox<EdgeCore?>) { self.core = core }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        let buffer = unwrapInboundIn(data)
        head += buffer.readableBytesView
        if head.count > 16_384 {
            reply(context, EdgeAdminResponse(status: "431 Request Header Fields Too Large", body: "too large\n"))
            return
        }
        guard let end = Self.headEnd(head) else { return }
        let line = head[..<end].prefix { $0 != 13 && $0 != 10 }
        let parts = line.split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) }
        guard parts.count >= 2, let core = core.value else {
            reply(context, EdgeAdminResponse(status: "400 Bad Request", body: "bad request\n"))
            return
        }
        reply(context, EdgeAdminAPI.respond(core, method: parts[0], target: parts[1]))
    }

    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for i in 1..<bytes.count where bytes[i] == 10 {
            if bytes[i - 1] == 10 { return i }
            if i >= 3, bytes[i - 1] == 13, bytes[i - 2] == 10 { return i }
        }
        return nil
    }

    private func reply(_ context: ChannelHandlerContext, _ response: EdgeAdminResponse) {
        answered = true
        let text = "HTTP/1.0 \(response.status)\r\nContent-Type: \(response.contentType)\r\n"
            + "Content-Length: \(response.body.utf8.count)\r\nConnection: close\r\n\r\n" + response.body
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text))).whenComplete { _ in
            bound.value.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
