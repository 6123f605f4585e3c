import CShims
import Glibc
import Logging
import Synchronization
@testable import Relay

/// An in-process `tandem relay` on loopback with its own port range, plus an ng client, for the Relay* suites.
final class RelayUnderTest {
    let server: RelayServer
    let ng: DataPlaneTestClient
    let portMin: Int
    let portMax: Int
    private var cookie = 0

    /// Each relay gets a port range of its own (below the ephemeral range, so client sockets never take them),
    /// so suites can run in parallel.
    init(engine: IOEngineKind = .mmsg, ports: Int = 40, configure: (inout RelayOptions) -> Void = { _ in }) throws {
        let start = RelayPortRanges.next(size: ports)
        portMin = start
        portMax = start + ports - 1
        var options = RelayOptions()
        options.listenNG = ["127.0.0.1:0"]
        options.listenMetrics = "127.0.0.1:0"
        options.portMin = portMin
        options.portMax = portMax
        options.numThreads = 2
        options.ioEngine = engine
        options.kernelMode = .off
        configure(&options)
        var logger = Logger(label: "relay-test")
        logger.logLevel = .critical
        server = try RelayServer(options: options, logger: logger)
        ng = try DataPlaneTestClient("127.0.0.1")
    }

    deinit { server.stop() }

    var ngEndpoint: SocketEndpoint { server.ngEndpoints[0] }

    func nextCookie() -> String {
        cookie += 1
        return "c\(cookie)x\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Sends raw bytes and returns the raw reply (nil on timeout).
    func exchange(_ bytes: [UInt8], timeoutMs: Int32 = 3000) -> [UInt8]? {
        ng.send(bytes, to: ngEndpoint)
        return ng.receive(timeoutMs: timeoutMs)?.payload
    }

    /// Sends a bencoded request and decodes the reply dictionary.
    func request(_ dictionary: NGDictionary, cookie: String? = nil) throws -> NGDictionary {
        let message = NGMessage(cookie: Array((cookie ?? nextCookie()).utf8), encoding: .bencode, dictionary: dictionary)
        guard let reply = exchange(message.encoded()) else { throw RelayTestError.noReply }
        return try NGMessage(decoding: reply).dictionary
    }

    func offer(callID: String, fromTag: String, sdp: String, flags: [String] = [], extra: NGDictionary = [:]) throws -> NGDictionary {
        var request: NGDictionary = ["command": .text("offer"), "call-id": .text(callID), "from-tag": .text(fromTag),
                                     "sdp": .text(sdp)]
        if !flags.isEmpty { request.append("flags", .list(flags.map { .text($0) })) }
        request.append(contentsOf: extra)
        return try self.request(request)
    }

    func answer(callID: String, fromTag: String, toTag: String, sdp: String, flags: [String] = []) throws -> NGDictionary {
        var request: NGDictionary = ["command": .text("answer"), "call-id": .text(callID), "from-tag": .text(fromTag),
                                     "to-tag": .text(toTag), "sdp": .text(sdp)]
        if !flags.isEmpty { request.append("flags", .list(flags.map { .text($0) })) }
        return try self.request(request)
    }

    func list() throws -> [String] {
        let reply = try request(["command": .text("list")])
        return reply["calls"]?.listValue?.compactMap(\.stringValue) ?? []
    }

    /// Polls until `condition` holds or `timeoutMs` passes.
    static func eventually(timeoutMs: UInt64 = 5000, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = tdm_coarse_now_ns() + timeoutMs * 1_000_000
        while tdm_coarse_now_ns() < deadline {
            if try condition() { return true }
            usleep(20_000)
        }
        return try condition()
    }
}

/// A two-party call through a relay: caller `a` and callee `b` are real UDP sockets; `toRelayA`/`toRelayB` are
/// the relay endpoints each of them must send to (taken from the rewritten SDPs).
struct RelayCallUnderTest {
    let a: DataPlaneTestClient
    let b: DataPlaneTestClient
    let toRelayA: SocketEndpoint
    let toRelayB: SocketEndpoint
    let offerReply: NGDictionary
    let answerReply: NGDictionary

    init(_ relay: RelayUnderTest, callID: String, offerFlags: [String] = [], answerFlags: [String] = []) throws {
        a = try DataPlaneTestClient("127.0.0.1")
        b = try DataPlaneTestClient("127.0.0.1")
        offerReply = try relay.offer(callID: callID, fromTag: "ft-\(callID)", sdp: RelaySDP.audio(port: a.endpoint.port),
                                     flags: offerFlags)
        guard let offered = RelaySDP.endpoint(in: offerReply) else { throw RelayTestError.badReply(offerReply) }
        answerReply = try relay.answer(callID: callID, fromTag: "ft-\(callID)", toTag: "tt-\(callID)",
                                       sdp: RelaySDP.audio(port: b.endpoint.port), flags: answerFlags)
        guard let answered = RelaySDP.endpoint(in: answerReply) else { throw RelayTestError.badReply(answerReply) }
        toRelayB = offered
        toRelayA = answered
    }
}

enum RelaySDP {
    static func audio(port: UInt16, address: String = "127.0.0.1", extra: String = "") -> String {
        "v=0\r\no=- 1545997027 1 IN IP4 \(address)\r\ns=tandem\r\nc=IN IP4 \(address)\r\nt=0 0\r\n"
            + "m=audio \(port) RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n\(extra)a=sendrecv\r\n"
    }

    /// The relay address and RTP port a reply's SDP advertises.
    static func endpoint(in reply: NGDictionary) -> SocketEndpoint? {
        guard let bytes = reply["sdp"]?.bytes, let sdp = try? SDPSessionDescription(parsing: bytes),
              let connection = sdp.connection(forMediaAt: 0), let port = sdp.media.first?.port,
              let port16 = UInt16(exactly: port) else { return nil }
        return SocketEndpoint(address: connection.address.addressString, port: port16)
    }

    static func text(_ reply: NGDictionary) -> String { reply["sdp"]?.stringValue ?? "" }
}

enum RelayTestError: Error {
    case noReply
    case badReply(NGDictionary)
}

/// Hands out disjoint port ranges in 20000..<32000.
enum RelayPortRanges {
    private static let cursor = Atomic<Int>(20000 + Int(getpid() % 40) * 100)

    static func next(size: Int) -> Int {
        let start = cursor.add(size + 2, ordering: .relaxed).oldValue
        return 20000 + (start - 20000) % 11000
    }
}

extension NGDictionary {
    /// `a.b.c` path lookup through nested dictionaries.
    func value(_ path: String...) -> NGValue? {
        var current: NGValue? = .dict(self)
        for key in path { current = current?.dictValue?[key] }
        return current
    }
}
