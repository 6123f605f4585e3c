import Foundation
import Logging
import NIOCore
@testable import Signaling

/// Starts an edge on loopback with ephemeral ports (UDP only unless asked) and a temp data dir.
func startTestEdge(farm: [Int] = [], dataDirectory: String? = nil, configure: (inout EdgeConfiguration) -> Void = { _ in })
    async throws -> EdgeServer
{
    var configuration = EdgeConfiguration()
    configuration.listeners = [EdgeListener(host: "127.0.0.1", port: 0, transport: .udp)]
    configuration.farm = farm.map { SIPPeer(host: "127.0.0.1", port: $0, transport: .udp) }
    configuration.admin = "127.0.0.1:0"
    configuration.dataDirectory = dataDirectory ?? makeTemporaryDirectory()
    configuration.t1Milliseconds = 100
    configuration.drainMilliseconds = 500
    configure(&configuration)
    var logger = Logger(label: "edge-test")
    logger.logLevel = .warning
    return try await EdgeServer.start(configuration: configuration, logger: logger)
}

func makeTemporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "tandem-edge-\(UInt64.random(in: 0...UInt64.max))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

extension EdgeServer {
    var udpPort: Int { sipListeners.first { $0.transport == .udp }?.localAddress.port ?? 0 }
}

/// The text of a datagram.
func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// A SIP request as a phone would send it (CRLF line ends, Content-Length added).
func sipRequest(_ lines: [String], body: String = "") -> String {
    lines.joined(separator: "\r\n") + "\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
}

/// The value of the first header `name` in a message's text.
func headerValue(_ message: String, _ name: String) -> String? {
    for line in message.components(separatedBy: "\r\n") {
        guard let colon = line.firstIndex(of: ":") else { continue }
        if line[..<colon].trimmingCharacters(in: .whitespaces).lowercased() == name.lowercased() {
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }
    return nil
}

func headerValues(_ message: String, _ name: String) -> [String] {
    message.components(separatedBy: "\r\n").compactMap { line in
        guard let colon = line.firstIndex(of: ":"),
              line[..<colon].trimmingCharacters(in: .whitespaces).lowercased() == name.lowercased() else { return nil }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
}

/// Turns a received request into a response: status line, same Via/From/To/Call-ID/CSeq (+ To tag).
func responseText(to request: String, status: String, extra: [String] = [], toTag: String? = "uas1") -> String {
    var lines = ["SIP/2.0 \(status)"]
    for via in headerValues(request, "Via") { lines.append("Via: \(via)") }
    for name in ["From", "To", "Call-ID", "CSeq"] {
        guard var value = headerValue(request, name) else { continue }
        if name == "To", let toTag, !value.contains("tag=") { value += ";tag=\(toTag)" }
        lines.append("\(name): \(value)")
    }
    for rr in headerValues(request, "Record-Route") { lines.append("Record-Route: \(rr)") }
    return sipRequest(lines + extra)
}

/// Receives datagrams until one satisfies `match` (skipping e.g. 100 Trying or keepalives).
func receive(_ client: TestUDPClient, milliseconds: Int32 = 3000, until match: (String) -> Bool) -> String? {
    let deadline = Date().addingTimeInterval(Double(milliseconds) / 1000)
    while Date() < deadline {
        let left = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
        guard let (bytes, _) = client.receive(milliseconds: left) else { return nil }
        let message = text(bytes)
        if match(message) { return message }
    }
    return nil
}

/// One HTTP/1.0 request to the admin listener; returns status line and body.
func adminRequest(_ server: EdgeServer, _ method: String, _ target: String) throws -> (String, String) {
    let port = server.adminAddress?.port ?? 0
    let client = try TestTCPClient(connectingTo: port)
    client.write(Array("\(method) \(target) HTTP/1.0\r\nHost: x\r\n\r\n".utf8))
    var bytes: [UInt8] = []
    while true {
        guard LoopbackSocket.waitReadable(client.fd, milliseconds: 2000) else { break }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { read(client.fd, $0.baseAddress, $0.count) }
        if count <= 0 { break }
        bytes += buffer[0..<count]
    }
    let response = text(bytes)
    let parts = response.components(separatedBy: "\r\n\r\n")
    return (parts.first?.components(separatedBy: "\r\n").first ?? "", parts.dropFirst().joined(separator: "\r\n\r\n"))
}
