import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// One namespace with the real `tandem signaling` binary on 10.77.9.1:5060 (UDP) and the actors
/// (SIPp runs, Swift sockets) on the same address: loopback traffic, but isolated from the host
/// and from parallel runs, so fixed ports are fine. `restartEdge` SIGKILLs and starts it again
/// on the same data directory.
final class PresenceFlowLab: @unchecked Sendable {
    static let host = "10.77.9.1"
    static let edgePort: UInt16 = 5060
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    let lab: NetworkLab
    let namespace: LabNamespace
    let binary: String
    let work: String
    var edge: LabProcess?

    init(farmPort: Int? = nil) throws {
        try #require(getuid() == 0, "PresenceFlowTests need root (network namespaces); CI runs as root")
        binary = Self.root.appendingPathComponent(".build/debug/tandem").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the tandem binary first (\(binary))")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/sipp"), "sipp (Debian sip-tester) is missing")
        lab = try NetworkLab()
        namespace = try lab.addNamespace("presence")
        try lab.addAddress("\(Self.host)/32", to: "lo", in: namespace)
        work = makeTemporaryDirectory()
        let farm = farmPort.map { "farm: [\"sip:\(Self.host):\($0)\"]\n" } ?? ""
        try """
        listeners: [{ address: \(Self.host), port: \(Self.edgePort), transport: udp }]
        \(farm)keepalive: { enabled: false }
        admin: 127.0.0.1:9103
        data_dir: \(work)/data
        timers: { t1_ms: 100 }
        log_level: debug
        presence:
          expires: { min: 1, max: 3600, default: 600 }
          notify_interval_ms: 100
          message: { relay_timeout_ms: 1000 }
        """.write(toFile: work + "/edge.yaml", atomically: true, encoding: .utf8)
        try startEdge()
    }

    func startEdge() throws {
        let process = try lab.startSignalingEdge(in: namespace, binary: binary, configPath: work + "/edge.yaml")
        edge = process
    }

    /// SIGKILL (no flush, no goodbye) and start again on the same data directory.
    func restartEdge() throws {
        edge?.kill()
        _ = edge?.wait(timeout: .seconds(5))
        try startEdge()
    }

    func shutdown() {
        edge?.terminate()
        _ = edge?.wait(timeout: .seconds(5))
        lab.shutdown()
    }

    var presenceFile: String { work + "/data/presence.sqlite" }

    func socket(port: UInt16 = 0) throws -> SIPTestPeer {
        SIPTestPeer(socket: try lab.udpSocket(in: namespace, bind: Self.host, port: port))
    }

    static func scenario(_ name: String) -> String {
        root.appendingPathComponent("Tests/SignalingTests/Fixtures/sipp/\(name)").path
    }

    /// One SIPp run to completion (`-m 1`); true when it exited 0.
    func sipp(_ scenario: String, port: UInt16, service: String = "bob", timeout: Duration = .seconds(15)) throws -> Bool {
        let result = try lab.run(namespace, sippArguments(scenario, port: port, service: service), timeout: timeout)
        return result.exit.succeeded
    }

    /// A SIPp run in the background (a UAS waiting for the edge, or a UAC whose timing matters).
    func spawnSipp(_ scenario: String, port: UInt16, service: String = "bob") throws -> LabProcess {
        try lab.spawn(namespace, sippArguments(scenario, port: port, service: service))
    }

    private func sippArguments(_ scenario: String, port: UInt16, service: String) -> [String] {
        ["/usr/bin/sipp", "\(Self.host):\(Self.edgePort)", "-sf", Self.scenario(scenario), "-i", Self.host,
         "-p", "\(port)", "-s", service, "-m", "1", "-nostdin", "-timeout", "20s", "-timeout_error"]
    }

    func admin(_ target: String) throws -> String {
        try lab.withNamespace(namespace) { try adminGet(port: 9103, target) }
    }
}

/// A Swift UDP socket speaking just enough SIP: send text to the edge, wait for a message,
/// answer NOTIFY/MESSAGE with 200 on the way (counting them).
final class SIPTestPeer: @unchecked Sendable {
    let socket: LabUDPSocket
    var port: UInt16 { socket.localPort }
    /// Requests this peer answered 200 automatically, by method.
    var answered: [String: Int] = [:]
    var autoAnswer: Set<String> = ["NOTIFY"]

    init(socket: LabUDPSocket) { self.socket = socket }

    func send(_ message: String) throws {
        try socket.send(Array(message.utf8), to: PresenceFlowLab.host, port: PresenceFlowLab.edgePort)
    }

    /// Receives until `match` accepts a message; requests in `autoAnswer` get a 200 first.
    func waitFor(seconds: Double, _ match: (String) -> Bool) throws -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let left = max(0.01, deadline.timeIntervalSinceNow)
            guard let datagram = try socket.receive(timeout: .milliseconds(Int(left * 1000))) else { continue }
            let message = text(datagram.bytes)
            if let method = message.split(separator: " ", maxSplits: 1).first.map(String.init), autoAnswer.contains(method) {
                try socket.send(Array(responseText(to: message, status: "200 OK", toTag: nil).utf8), to: datagram.host,
                                port: datagram.port)
                answered[method, default: 0] += 1
            }
            if match(message) { return message }
        }
        return nil
    }

    func register(user: String, cseq: Int = 1) -> String {
        sipRequest([
            "REGISTER sip:example.com SIP/2.0",
            "Via: SIP/2.0/UDP \(PresenceFlowLab.host):\(port);branch=z9hG4bKreg\(user)\(cseq)\(UInt32.random(in: 0...UInt32.max));rport",
            "From: <sip:\(user)@example.com>;tag=r\(user)", "To: <sip:\(user)@example.com>", "Call-ID: reg-\(user)-\(port)",
            "CSeq: \(cseq) REGISTER", "Contact: <sip:\(user)@\(PresenceFlowLab.host):\(port)>", "Expires: 600", "Max-Forwards: 70",
        ])
    }

    func subscribe(watcher: String, to user: String, event: String, expires: Int = 600, callID: String,
                   domain: String = "example.com") -> String
    {
        sipRequest([
            "SUBSCRIBE sip:\(user)@example.com SIP/2.0",
            "Via: SIP/2.0/UDP \(PresenceFlowLab.host):\(port);branch=z9hG4bK\(callID)\(UInt32.random(in: 0...UInt32.max));rport",
            "From: <sip:\(watcher)@\(domain)>;tag=w\(watcher)", "To: <sip:\(user)@example.com>", "Call-ID: \(callID)",
            "CSeq: 1 SUBSCRIBE", "Contact: <sip:\(watcher)@\(PresenceFlowLab.host):\(port)>", "Event: \(event)",
            "Expires: \(expires)", "Max-Forwards: 70",
        ])
    }
}

/// The body of a SIP message (after the blank line).
func sipBody(_ message: String) -> String {
    message.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
}
