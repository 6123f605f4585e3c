import Relay

/// An ng `ping` with a bounded wait: how `perf tune` knows a relay it started is ready.
public enum NGPing {
    /// True when `relay` answered `pong` within `timeoutMilliseconds`.
    public static func pong(_ relay: IPv4Endpoint, timeoutMilliseconds: Int32 = 200) -> Bool {
        guard let socket = try? NonBlockingUDPSocket(bindingTo: IPv4Endpoint(host: "0.0.0.0", port: 0)!) else { return false }
        let cookie = Array("ping\(UInt32.random(in: 0...UInt32.max))".utf8)
        guard socket.send(NGMessage.encode(cookie: cookie, encoding: .bencode, dictionary: ["command": .text("ping")]),
                          to: relay) else { return false }
        guard let bytes = socket.receive(timeoutMilliseconds: timeoutMilliseconds),
              let reply = try? NGMessage(decoding: bytes), reply.cookie == cookie else { return false }
        return reply.dictionary["result"]?.stringValue == "pong"
    }
}
