import CShims
import Foundation
import Glibc
@testable import Relay
import TestSupport

/// The real `tandem relay` binary in the relay namespace of a `KernelTestLab` (caller 10.77.40.2, relay 10.77.40.1,
/// callee 10.77.40.3 on one switch), driven over ng from the caller namespace, with calls whose media are real
/// sockets in the caller and callee namespaces. With `ipv6`, the relay's media interface and every SDP address are
/// the lab's IPv6 ones (fd77:40::1/2/3) while ng stays on IPv4.
final class KernelOffloadTestLab {
    typealias Lab = KernelTestLab
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static var binary: String { "\(packageRoot)/.build/debug/tandem" }
    static let ngPort: UInt16 = 2223

    let setup: KernelTestLab
    let ng: LabUDPSocket
    let dataDirectory: String
    private(set) var relay: LabProcess?
    private var cookie = 0
    /// The media addresses of this lab's family.
    let relayAddress: String
    let callerAddress: String
    let calleeAddress: String
    /// The nftables family the call's elements live in (`ip` or `ip6`).
    let family: String

    init(ipv6: Bool = false) throws {
        setup = try KernelTestLab(ipv6: ipv6)
        ng = try setup.lab.udpSocket(in: setup.caller, bind: Lab.callerAddress)
        dataDirectory = "\(setup.lab.workDirectory)/relay-data"
        relayAddress = ipv6 ? Lab.relayAddress6 : Lab.relayAddress
        callerAddress = ipv6 ? Lab.callerAddress6 : Lab.callerAddress
        calleeAddress = ipv6 ? Lab.calleeAddress6 : Lab.calleeAddress
        family = ipv6 ? "ip6" : "ip"
    }

    var lab: NetworkLab { setup.lab }

    /// Starts the relay; waits until it answers ng `ping`. `interfaces` replaces the one media interface (the
    /// lab family's relay address); `metrics` is its `--listen-metrics` (off by default).
    @discardableResult
    func startRelay(kernel: String = "require", extra: [String] = [], prefix: [String] = [],
                    interfaces: [String]? = nil, metrics: String = "") throws -> LabProcess {
        let interfaceArguments = (interfaces ?? [relayAddress]).flatMap { ["--interface", $0] }
        let argv = prefix + [KernelOffloadTestLab.binary, "relay"] + interfaceArguments + [
            "--listen-ng", "\(Lab.relayAddress):\(KernelOffloadTestLab.ngPort)",
            "--kernel", kernel, "--port-min", "30000", "--port-max", "30999", "--listen-metrics", metrics,
            "--delete-delay", "0", "--num-threads", "1", "--data-dir", dataDirectory,
            "--log-level", "debug"] + extra
        let process = try lab.spawn(setup.relay, argv)
        relay = process
        let deadline = tdm_coarse_now_ns() + 10_000_000_000
        while tdm_coarse_now_ns() < deadline, process.isRunning {
            if (try? request(["command": .text("ping")], timeout: .milliseconds(200))) != nil { return process }
        }
        return process
    }

    func nextCookie() -> String {
        cookie += 1
        return "k\(cookie)x\(UInt32.random(in: 0...UInt32.max))"
    }

    /// One ng exchange (bencode); throws when no reply comes.
    func request(_ dictionary: NGDictionary, timeout: Duration = .seconds(3)) throws -> NGDictionary {
        let cookie = nextCookie()
        let message = NGMessage(cookie: Array(cookie.utf8), encoding: .bencode, dictionary: dictionary)
        try ng.send(message.encoded(), to: Lab.relayAddress, port: KernelOffloadTestLab.ngPort)
        let deadline = tdm_coarse_now_ns() + UInt64(timeout.components.seconds) * 1_000_000_000
            + UInt64(timeout.components.attoseconds / 1_000_000_000)
        while tdm_coarse_now_ns() < deadline {
            guard let datagram = try ng.receive(timeout: .milliseconds(100)) else { continue }
            guard datagram.bytes.starts(with: Array((cookie + " ").utf8)) else { continue }
            return try NGMessage(decoding: datagram.bytes).dictionary
        }
        throw RelayTestError.noReply
    }

    static func sdp(_ address: String, port: UInt16) -> String {
        guard address.contains(":") else { return RelaySDP.audio(port: port, address: address) }
        return "v=0\r\no=- 1545997027 1 IN IP6 \(address)\r\ns=tandem\r\nc=IN IP6 \(address)\r\nt=0 0\r\n"
            + "m=audio \(port) RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=sendrecv\r\n"
    }

    /// Offer from the caller, answer from the callee; returns the call with its media sockets.
    func setUpCall(_ index: Int, offerFlags: [String] = []) throws -> OffloadCall {
        let callID = "kcall-\(index)"
        let callerSocket = try lab.udpSocket(in: setup.caller, bind: callerAddress, port: 40000 + UInt16(index) * 2)
        let calleeSocket = try lab.udpSocket(in: setup.callee, bind: calleeAddress, port: 44000 + UInt16(index) * 2)
        var offer: NGDictionary = ["command": .text("offer"), "call-id": .text(callID), "from-tag": .text("ft\(index)"),
                                   "sdp": .text(KernelOffloadTestLab.sdp(callerAddress, port: callerSocket.localPort))]
        if !offerFlags.isEmpty { offer.append("flags", .list(offerFlags.map { .text($0) })) }
        let offerReply = try request(offer)
        let answerReply = try request([
            "command": .text("answer"), "call-id": .text(callID), "from-tag": .text("ft\(index)"),
            "to-tag": .text("tt\(index)"),
            "sdp": .text(KernelOffloadTestLab.sdp(calleeAddress, port: calleeSocket.localPort)),
        ])
        guard let toRelayFromCallee = RelaySDP.endpoint(in: offerReply),
              let toRelayFromCaller = RelaySDP.endpoint(in: answerReply) else {
            throw RelayTestError.badReply(offerReply)
        }
        return OffloadCall(callID: callID, index: index, caller: callerSocket, callee: calleeSocket,
                           callerTarget: toRelayFromCaller.port, calleeTarget: toRelayFromCallee.port,
                           relayAddress: relayAddress)
    }

    /// Re-offer from the caller side as a re-INVITE answered by the callee from a new port.
    func moveCallee(_ call: inout OffloadCall, to port: UInt16) throws {
        _ = try request(["command": .text("offer"), "call-id": .text(call.callID), "from-tag": .text("ft\(call.index)"),
                         "to-tag": .text("tt\(call.index)"),
                         "sdp": .text(KernelOffloadTestLab.sdp(callerAddress, port: call.caller.localPort))])
        let callee = try lab.udpSocket(in: setup.callee, bind: calleeAddress, port: port)
        _ = try request(["command": .text("answer"), "call-id": .text(call.callID), "from-tag": .text("ft\(call.index)"),
                         "to-tag": .text("tt\(call.index)"),
                         "sdp": .text(KernelOffloadTestLab.sdp(calleeAddress, port: port))])
        call.callee = callee
    }

    func query(_ callID: String) throws -> NGDictionary { try request(["command": .text("query"), "call-id": .text(callID)]) }

    func delete(_ callID: String) throws -> NGDictionary { try request(["command": .text("delete"), "call-id": .text(callID)]) }

    func list() throws -> [String] {
        try request(["command": .text("list"), "limit": .int(1000)])["calls"]?.listValue?.compactMap(\.stringValue) ?? []
    }

    /// The `in kernel` flags of the call's RTP (or RTCP) streams (both sides).
    func rtpInKernel(_ callID: String, kind: String = "RTP") throws -> [Bool] {
        KernelOffloadTestLab.inKernel(try query(callID), kind: kind)
    }

    /// One `query`: the `in kernel` flags of the call's RTP streams and its total RTP packets.
    func rtpState(_ callID: String) throws -> (inKernel: [Bool], packets: Int64) {
        let reply = try query(callID)
        return (KernelOffloadTestLab.inKernel(reply, kind: "RTP"),
                reply.value("totals", "RTP", "packets")?.integerValue ?? -1)
    }

    static func inKernel(_ reply: NGDictionary, kind: String) -> [Bool] {
        var flags: [Bool] = []
        for entry in reply["tags"]?.dictValue?.entries ?? [] {
            let tag = entry.value
            for media in tag.dictValue?["medias"]?.listValue ?? [] {
                for stream in media.dictValue?["streams"]?.listValue ?? [] {
                    guard stream.dictValue?["flags"]?.listValue?.first?.stringValue == kind else { continue }
                    flags.append(stream.dictValue?["in kernel"]?.stringValue == "true")
                }
            }
        }
        return flags
    }

    /// Total packets `query` reports for the call's RTP.
    func rtpPackets(_ callID: String) throws -> Int64 {
        try query(callID).value("totals", "RTP", "packets")?.integerValue ?? -1
    }

    /// Removes the journal's `+` records of `callIDs`, as if the relay died between installing their elements and
    /// syncing the journal.
    func dropJournalRecords(_ callIDs: [String]) throws {
        let path = "\(dataDirectory)/kernel-journal"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let hidden = Set(callIDs.map { "+ c1 " + CallRecord.hex($0) + " " })
        let kept = text.split(separator: "\n").filter { line in !hidden.contains { line.hasPrefix($0) } }
        guard kept.count < text.split(separator: "\n").count else { throw RelayTestError.noReply }
        try (kept.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// `tandem_relay_drops_total{reason}` from the relay's metrics (started with `metrics: "<relay>:9102"`).
    func drops(_ reason: String) throws -> Int {
        let text = try lab.withNamespace(setup.caller) {
            try RelayHTTP.get("/metrics", from: SocketEndpoint(address: Lab.relayAddress, port: 9102)!)
        }
        let prefix = "tandem_relay_drops_total{reason=\"\(reason)\"} "
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return -1 }
        return Int(Double(line.dropFirst(prefix.count)) ?? -1)
    }

    /// `nft list table` in the relay namespace ("" when the table does not exist).
    func tableListing() -> String {
        (try? lab.run(setup.relay, ["nft", "list", "table", family, "tandem"]))?.stdout ?? ""
    }

    /// Number of elements in the `leg_mark` map (-1 when the table is missing).
    func legElements() -> Int {
        guard let output = try? lab.run(setup.relay, ["nft", "list", "map", family, "tandem", "leg_mark"]),
              output.exit.succeeded else { return -1 }
        return output.stdout.components(separatedBy: "counter packets").count - 1
    }

    /// Sends one packet each way on every call, then collects what arrived; returns the deliveries.
    @discardableResult
    func pump(_ calls: [OffloadCall], wait: Duration = .milliseconds(150)) -> Int {
        let payload = [UInt8](repeating: 0x42, count: 172)
        for call in calls {
            try? sendTolerantly(call.caller, payload, to: call.relayAddress, port: call.callerTarget)
            try? sendTolerantly(call.callee, payload, to: call.relayAddress, port: call.calleeTarget)
        }
        var delivered = 0
        for call in calls {
            if ((try? call.callee.receive(timeout: wait)) ?? nil) != nil { delivered += 1 }
            if ((try? call.caller.receive(timeout: wait)) ?? nil) != nil { delivered += 1 }
        }
        for call in calls { call.drain() }
        return delivered
    }

    /// Keeps media flowing both ways until every call's RTP streams are in the kernel (bounded by `seconds`).
    func flowUntilOffloaded(_ calls: [OffloadCall], seconds: UInt64 = 15) throws -> Bool {
        let deadline = tdm_coarse_now_ns() + seconds * 1_000_000_000
        var pending = calls.map(\.callID)
        var lastCheck: UInt64 = 0
        while tdm_coarse_now_ns() < deadline {
            pump(calls, wait: .milliseconds(30))
            usleep(30_000)
            if tdm_coarse_now_ns() - lastCheck > 700_000_000 {
                lastCheck = tdm_coarse_now_ns()
                pending = try pending.filter { callID in
                    let flags = try rtpInKernel(callID)
                    return flags.count != 2 || flags.contains(false)
                }
                if pending.isEmpty { return true }
            }
        }
        return false
    }
}

/// One call of the lab: its media sockets and the relay ports each side sends to.
struct OffloadCall {
    let callID: String
    let index: Int
    let caller: LabUDPSocket
    var callee: LabUDPSocket
    let callerTarget: UInt16
    let calleeTarget: UInt16
    /// The relay's media address (IPv4 or IPv6, the lab's family).
    var relayAddress: String = KernelTestLab.relayAddress

    /// One packet each way; returns how many arrived on the far side within `wait`.
    @discardableResult
    func exchange(wait: Duration = .milliseconds(200)) -> (toCallee: Int, toCaller: Int) {
        let payload = [UInt8](repeating: 0x42, count: 172)
        try? sendTolerantly(caller, payload, to: relayAddress, port: callerTarget)
        try? sendTolerantly(callee, payload, to: relayAddress, port: calleeTarget)
        let a = (try? callee.receive(timeout: wait)) ?? nil
        let b = (try? caller.receive(timeout: wait)) ?? nil
        return (a == nil ? 0 : 1, b == nil ? 0 : 1)
    }

    /// Drains what is queued on both sockets.
    func drain() {
        while ((try? caller.receive(timeout: .milliseconds(1))) ?? nil) != nil {}
        while ((try? callee.receive(timeout: .milliseconds(1))) ?? nil) != nil {}
    }
}
