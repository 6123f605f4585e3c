import Foundation
import Testing
@testable import Signaling

/// RFC 5626 §3.5.1 / §4.4.1 on the wire: a phone registered over TCP gets CRLFCRLF pings (not
/// OPTIONS) on its own connection; a CRLF pong keeps the binding; a phone that stops answering
/// loses it after `max_pings_lost` intervals; a closed connection loses it at once.
@Suite("EdgeTCPKeepalive", .serialized, .timeLimit(.minutes(1)))
struct EdgeTCPKeepaliveTests {
    static let intervalMilliseconds: Int64 = 600

    func startEdge() async throws -> EdgeServer {
        try await startTestEdge { configuration in
            configuration.listeners.append(EdgeListener(host: "127.0.0.1", port: 0, transport: .tcp))
            configuration.keepalive.intervalMilliseconds = Self.intervalMilliseconds
            configuration.keepalive.maxPingsLost = 2
        }
    }

    /// Connects, registers over TCP and returns the connection once the 200 OK is read.
    func registeredPhone(_ edge: EdgeServer) throws -> TestTCPClient {
        let port = try #require(edge.sipListeners.first { $0.transport == .tcp }?.localAddress.port)
        let phone = try TestTCPClient(connectingTo: port)
        phone.write(sipRequest([
            "REGISTER sip:example.com SIP/2.0",
            "Via: SIP/2.0/TCP 127.0.0.1:\(phone.port);branch=z9hG4bKtcpreg1;rport",
            "From: <sip:carol@example.com>;tag=t1", "To: <sip:carol@example.com>", "Call-ID: tcp-reg-1",
            "CSeq: 1 REGISTER", "Contact: <sip:carol@127.0.0.1:\(phone.port);transport=tcp>", "Expires: 600",
            "Max-Forwards: 70",
        ]))
        var stream = StreamReader(phone)
        let reply = stream.nextMessage(milliseconds: 3000)
        #expect(reply?.hasPrefix("SIP/2.0 200") == true)
        return phone
    }

    @Test func tcpBindingGetsCRLFPingsAndStaysWhileItPongs() async throws {
        let edge = try await startEdge()
        let phone = try registeredPhone(edge)
        #expect(try await edge.bindings().count == 1)
        // Answer three pings in a row: more than max_pings_lost intervals pass, the binding stays.
        var stream = StreamReader(phone)
        for _ in 0..<3 {
            let ping = stream.nextKeepalive(milliseconds: Int32(Self.intervalMilliseconds * 3))
            #expect(ping == "\r\n\r\n")
            phone.write("\r\n")
        }
        #expect(stream.sawSIPMessage == false)  // no OPTIONS over TCP
        #expect(try await edge.bindings().count == 1)
        let (_, metrics) = try adminRequest(edge, "GET", "/metrics")
        #expect(!metrics.contains("tandem_sip_binding_removals_total{reason=\"keepaliveTimeout\"} 1"))
        await edge.stop()
    }

    @Test func silentTCPBindingIsRemovedAfterMaxPingsLost() async throws {
        let edge = try await startEdge()
        let phone = try registeredPhone(edge)
        var stream = StreamReader(phone)
        #expect(stream.nextKeepalive(milliseconds: Int32(Self.intervalMilliseconds * 3)) == "\r\n\r\n")
        // No pong: gone after two lost pings (about two intervals later).
        let removed = await waitUntil(milliseconds: Int(Self.intervalMilliseconds) * 6) {
            ((try? await edge.bindings().count) ?? 1) == 0
        }
        #expect(removed)
        await edge.stop()
    }

    @Test func closedConnectionRemovesTheBindingAtOnce() async throws {
        let edge = try await startEdge()
        do {
            let phone = try registeredPhone(edge)
            #expect(try await edge.bindings().count == 1)
            withExtendedLifetime(phone) {}
        }  // the client's deinit closes the socket
        // Well within one keepalive interval: the close itself is the signal.
        let removed = await waitUntil(milliseconds: Int(Self.intervalMilliseconds) / 2) {
            ((try? await edge.bindings().count) ?? 1) == 0
        }
        #expect(removed)
        let (_, counts) = try adminRequest(edge, "GET", "/metrics")
        #expect(counts.contains("connectionClosed"))
        await edge.stop()
    }
}

/// Polls `condition` every 20 ms until it holds or `milliseconds` passed.
func waitUntil(milliseconds: Int, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(milliseconds)
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(nanoseconds: 20_000_000)
    }
    return await condition()
}

/// Splits what a TCP test client reads into SIP messages (Content-Length framing) and CRLF
/// keepalives, the way a phone's stack sees them.
struct StreamReader {
    let client: TestTCPClient
    var buffer: [UInt8] = []
    private(set) var sawSIPMessage = false

    init(_ client: TestTCPClient) { self.client = client }

    /// The next whole SIP message (keepalives before it are skipped).
    mutating func nextMessage(milliseconds: Int32) -> String? {
        let deadline = ContinuousClock.now + .milliseconds(Int(milliseconds))
        while true {
            while buffer.starts(with: [13, 10]) { buffer.removeFirst(2) }
            if let message = takeMessage() { return message }
            guard fill(until: deadline) else { return nil }
        }
    }

    /// The next CRLFCRLF ping as text; a SIP message before it is noted and skipped.
    mutating func nextKeepalive(milliseconds: Int32) -> String? {
        let deadline = ContinuousClock.now + .milliseconds(Int(milliseconds))
        while true {
            if buffer.count >= 4, buffer.starts(with: [13, 10, 13, 10]) {
                buffer.removeFirst(4)
                return "\r\n\r\n"
            }
            if let first = buffer.first, first != 13, takeMessage() != nil {
                sawSIPMessage = true
                continue
            }
            guard fill(until: deadline) else { return nil }
        }
    }

    private mutating func takeMessage() -> String? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard buffer.count >= 4, let end = (0...(buffer.count - 4)).first(where: { buffer[$0..<($0 + 4)].elementsEqual(separator) })
        else { return nil }
        let head = String(decoding: buffer[..<end], as: UTF8.self)
        let length = headerValue(head + "\r\n", "Content-Length").flatMap { Int($0) } ?? 0
        guard buffer.count >= end + 4 + length else { return nil }
        let message = String(decoding: buffer[..<(end + 4 + length)], as: UTF8.self)
        buffer.removeFirst(end + 4 + length)
        return message
    }

    private mutating func fill(until deadline: ContinuousClock.Instant) -> Bool {
        let left = deadline - ContinuousClock.now
        guard left > .zero else { return false }
        let milliseconds = Int32(max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
        let chunk = client.read(count: 1, milliseconds: milliseconds)
        guard !chunk.isEmpty else { return false }
        buffer += chunk
        return true
    }
}
