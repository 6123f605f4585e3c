@testable import Signaling

/// A tiny event-socket server core speaking mod_event_socket's real wire format, for tests: sends
/// `auth/request` on connect, checks `auth <password>`, accepts `event plain ...` subscriptions and
/// `exit`, emits HEARTBEAT events as `text/event-plain` with %-encoded values, and answers a wrong
/// password with `-ERR invalid` followed by a disconnect notice, as FreeSWITCH does.
struct FakeESLServer {
    let password: String
    private(set) var authenticated = false
    private(set) var subscribed: Set<String> = []
    private(set) var closed = false
    private var buffer: [UInt8] = []

    init(password: String = "ClueCon") { self.password = password }

    /// What the server writes when a client connects.
    func greeting() -> [UInt8] { Array("Content-Type: auth/request\n\n".utf8) }

    /// Feeds client bytes; returns the server's replies.
    mutating func receive(_ bytes: [UInt8]) -> [UInt8] {
        buffer += bytes
        var out: [UInt8] = []
        while !closed, let end = commandEnd() {
            let command = String(decoding: buffer[..<end], as: UTF8.self)
            buffer.removeFirst(end + 2)
            out += handle(command)
        }
        return out
    }

    private func commandEnd() -> Int? {
        guard buffer.count >= 2 else { return nil }
        for index in 0..<(buffer.count - 1) where buffer[index] == 10 && buffer[index + 1] == 10 { return index }
        return nil
    }

    private mutating func handle(_ command: String) -> [UInt8] {
        let words = command.split(separator: " ").map(String.init)
        guard let verb = words.first else { return [] }
        if !authenticated {
            guard verb == "auth" else { return reply("-ERR command not found") }
            if words.dropFirst().joined(separator: " ") == password {
                authenticated = true
                return reply("+OK accepted")
            }
            closed = true
            return reply("-ERR invalid") + disconnectNotice()
        }
        switch verb {
        case "event":
            guard words.count >= 3, words[1] == "plain" else { return reply("-ERR invalid format") }
            subscribed.formUnion(words.dropFirst(2))
            return reply("+OK event listener enabled plain")
        case "exit":
            closed = true
            return reply("+OK bye") + disconnectNotice()
        default:
            return reply("-ERR command not found")
        }
    }

    private func reply(_ text: String) -> [UInt8] {
        Array("Content-Type: command/reply\nReply-Text: \(text)\n\n".utf8)
    }

    func disconnectNotice() -> [UInt8] {
        let body = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"
        return Array("Content-Type: text/disconnect-notice\nContent-Length: \(body.utf8.count)\n\n\(body)".utf8)
    }

    /// A HEARTBEAT as FreeSWITCH's `send_heartbeat` fills it, or nil if nobody subscribed to it.
    func heartbeat(sessionCount: Int, maxSessions: Int, idleCPU: Double, hostname: String = "fs1") -> [UInt8]? {
        guard authenticated, !closed, subscribed.contains("HEARTBEAT") || subscribed.contains("ALL") else { return nil }
        let fields: [(String, String)] = [
            ("Event-Name", "HEARTBEAT"),
            ("Core-UUID", "cd5c37ac-b0d0-11e2-94ac-753c593c3097"),
            ("FreeSWITCH-Hostname", hostname),
            ("FreeSWITCH-Switchname", hostname),
            ("FreeSWITCH-IPv4", "10.0.0.11"),
            ("Event-Date-Local", "2026-11-28 22:04:44"),
            ("Event-Date-GMT", "Sat, 28 Nov 2026 22:04:44 GMT"),
            ("Event-Calling-File", "switch_core.c"),
            ("Event-Calling-Function", "send_heartbeat"),
            ("Event-Info", "System Ready"),
            ("Up-Time", "0 years, 0 days, 12 hours, 5 minutes, 22 seconds, 351 milliseconds, 143 microseconds"),
            ("Session-Count", String(sessionCount)),
            ("Max-Sessions", String(maxSessions)),
            ("Session-Per-Sec", "30"),
            ("Idle-CPU", String(idleCPU)),
        ]
        var body = ""
        for (name, value) in fields { body += "\(name): \(ESLURLCoding.encode(value))\n" }
        body += "\n"
        return Array("Content-Length: \(body.utf8.count)\nContent-Type: text/event-plain\n\n\(body)".utf8)
    }
}
