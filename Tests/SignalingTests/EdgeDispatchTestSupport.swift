import Foundation
@testable import Signaling

/// A fake FreeSWITCH box on a loopback UDP socket, served by `pump` on the test's thread: answers
/// INVITEs with `inviteStatus`, OPTIONS with `optionsStatus` (nil: silent), records INVITE Call-IDs.
final class FakeBackend {
    let socket: TestUDPClient
    var inviteStatus = "200 OK"
    var optionsStatus: String? = "200 OK"
    var invites: [String] = []
    var options = 0

    init() throws { socket = try TestUDPClient() }

    var port: Int { socket.port }
    var uri: String { "sip:127.0.0.1:\(port)" }

    /// Handles what has arrived within `milliseconds`.
    func serve(edgePort: Int, milliseconds: Int32) {
        guard let (bytes, _) = socket.receive(milliseconds: milliseconds) else { return }
        let message = text(bytes)
        if message.hasPrefix("INVITE") {
            invites.append(headerValue(message, "Call-ID") ?? "")
            socket.send(responseText(to: message, status: inviteStatus, extra: ["Contact: <sip:fs@127.0.0.1:\(port)>"]),
                        toPort: edgePort)
        } else if message.hasPrefix("OPTIONS") {
            options += 1
            if let optionsStatus { socket.send(responseText(to: message, status: optionsStatus), toPort: edgePort) }
        } else if message.hasPrefix("BYE") {
            socket.send(responseText(to: message, status: "200 OK"), toPort: edgePort)
        }
    }
}

/// Serves the backends until `done` holds or `milliseconds` pass; returns whether `done` held.
@discardableResult
func pump(_ backends: [FakeBackend], edgePort: Int, milliseconds: Int = 3000, until done: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(Double(milliseconds) / 1000)
    while Date() < deadline {
        if done() { return true }
        for backend in backends { backend.serve(edgePort: edgePort, milliseconds: 5) }
    }
    return done()
}

/// An INVITE from a phone to `user`@example.com.
func dispatchInvite(phone: TestUDPClient, user: String, callID: String) -> String {
    sipRequest([
        "INVITE sip:\(user)@example.com SIP/2.0",
        "Via: SIP/2.0/UDP 127.0.0.1:\(phone.port);branch=z9hG4bK\(callID);rport",
        "From: <sip:alice@example.com>;tag=f-\(callID)", "To: <sip:\(user)@example.com>", "Call-ID: \(callID)",
        "CSeq: 1 INVITE", "Contact: <sip:alice@127.0.0.1:\(phone.port)>", "Max-Forwards: 70",
    ])
}

/// Starts an edge whose dispatcher has one set "fs" over `backends`.
func startDispatchEdge(_ backends: [FakeBackend], algorithm: DispatcherAlgorithm = .roundRobin,
                       probing: DispatcherProbingSettings = DispatcherProbingSettings(probesActiveDestinations: false))
    async throws -> EdgeServer
{
    try await startTestEdge { configuration in
        let destinations = backends.map { DispatcherDestinationConfiguration(uri: $0.uri) }
        configuration.dispatcher = DispatcherConfiguration(
            sets: [DispatcherSetConfiguration(name: "fs", algorithm: algorithm, destinations: destinations)], probing: probing)
    }
}

/// The state of `uri` in `GET /dispatcher`.
func dispatcherState(_ edge: EdgeServer, _ uri: String) throws -> String? {
    let (_, body) = try adminRequest(edge, "GET", "/dispatcher")
    guard let data = body.data(using: .utf8),
          let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
          let boxes = json["destinations"] as? [[String: Any]]
    else { return nil }
    return boxes.first { ($0["uri"] as? String) == uri }?["state"] as? String
}
