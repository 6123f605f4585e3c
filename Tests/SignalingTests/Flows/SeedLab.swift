import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The seed's topology in namespaces, for the dispatcher call flows (`DispatchFlowTests`):
///
/// ```
/// phone 10.77.1.2 ── [home router, NAT] 10.78.1.2 ── 10.78.1.1  edge (`tandem signaling`)
///                                                    10.78.2.1 ──┬── fs1 10.78.2.11:5080  (SIPp "FreeSWITCH")
///                                                                ├── fs2 10.78.2.12:5080
///                                                                └── fs3 10.78.2.13:5080
///                                                    10.78.3.1 ── itsp 10.78.3.2:5060 (SIPp gateway)
/// ```
/// The edge listens on 10.78.1.1 only; the farm and the ITSP reach it through their link to the
/// edge's namespace. The boxes run `seed-freeswitch.xml` (answers OPTIONS probes, a small dialplan,
/// logs every INVITE it receives); the ITSP and the phone answer with `seed-answer.xml`; callers run
/// `seed-call.xml`. Which box got which call is read from the boxes' SIPp `<log>` files, success from
/// the callers' SIPp statistics. Everything dies with `shutdown()` (and the lab's own cleanup layers).
final class SeedLab {
    static let edgeAddress = "10.78.1.1"
    static let phoneAddress = "10.77.1.2"
    static let itspAddress = "10.78.3.2"
    static let boxAddresses = ["10.78.2.11", "10.78.2.12", "10.78.2.13"]
    static let boxPort = 5080
    static let probeIntervalSeconds = 1.0
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let sipp = "/usr/bin/sipp"

    static func scenario(_ name: String) -> String {
        root.appendingPathComponent("Tests/SignalingTests/Fixtures/sipp/\(name)").path
    }

    static func boxURI(_ index: Int) -> String { "sip:\(boxAddresses[index]):\(boxPort)" }

    /// The edge's config: one hash-on-R-URI-user set over the three boxes (conference numbers stick),
    /// two tenant partitions with fs3 as their spare, the ITSP as a DID-hashing outbound gateway,
    /// probes every second (one failure → inactive, like Kamailio's default threshold of 1).
    static func configuration(dataDirectory: String) -> String {
        """
        listeners: [{ address: \(edgeAddress), port: 5060, transport: udp }]
        dispatcher:
          route_set: fs
          probing: { interval: \(probeIntervalSeconds), timeout: 0.5, failure_threshold: 1, success_threshold: 1, probe_active: true }
          sets:
            - name: fs
              algorithm: hash-ruri-user
              destinations: ["\(boxURI(0))", "\(boxURI(1))", "\(boxURI(2))"]
              partitions:
                - { name: acme, domains: [acme.example], primaries: ["\(boxURI(0))"], spares: ["\(boxURI(2))"] }
                - { name: globex, domains: [globex.example], primaries: ["\(boxURI(1))"], spares: ["\(boxURI(2))"] }
        gateways:
          - { name: itsp, address: \(itspAddress), hash: did, outbound: true }
        registrar: { default_mode: local, min_expires: 10 }
        keepalive: { enabled: false }
        admin: 127.0.0.1:9103
        data_dir: \(dataDirectory)
        timers: { t1_ms: 100 }
        log_level: info
        """
    }

    let lab: NetworkLab
    let phoneNS: LabNamespace
    let edgeNS: LabNamespace
    let itspNS: LabNamespace
    let boxNS: [LabNamespace]
    let work: String
    private(set) var edge: LabProcess?
    /// The running SIPp of each box (nil while killed).
    private(set) var boxes: [LabProcess?] = [nil, nil, nil]
    /// Every log file each box ever wrote (one per start).
    private var boxLogs: [[String]] = [[], [], []]
    private var nextPort = 5070
    private var runs = 0

    /// The built `tandem`, after checking what the lab needs (fail, don't skip: CI has it all).
    static func prerequisites() throws -> String {
        try #require(getuid() == 0, "SeedLab needs root (network namespaces, nftables); CI runs as root")
        let binary = root.appendingPathComponent(".build/debug/tandem").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the tandem binary first (\(binary))")
        try #require(FileManager.default.isExecutableFile(atPath: sipp), "sipp (Debian sip-tester) is missing")
        return binary
    }

    init() throws {
        let binary = try Self.prerequisites()
        let lab = try NetworkLab()
        self.lab = lab
        do {
            let router = try lab.addHomeRouter(udpTimeout: 60)
            phoneNS = try lab.addNamespace("phone")
            edgeNS = try lab.addNamespace("edge")
            itspNS = try lab.addNamespace("itsp")
            boxNS = try (1...3).map { try lab.addNamespace("fs\($0)") }
            try router.connectLAN(phoneNS, hostAddress: "\(Self.phoneAddress)/24", routerAddress: "10.77.1.1/24")
            try router.connectWAN(edgeNS, peerAddress: "\(Self.edgeAddress)/24", routerAddress: "10.78.1.2/24")
            let farm = try lab.addSwitch("farm")
            try lab.attach(edgeNS, to: farm, interface: "farm0", addresses: ["10.78.2.1/24"])
            for (index, namespace) in boxNS.enumerated() {
                try lab.attach(namespace, to: farm, interface: "eth0", addresses: ["\(Self.boxAddresses[index])/24"])
                try lab.setDefaultRoute(namespace, via: "10.78.2.1")
            }
            try lab.link(edgeNS, interface: "itsp0", addresses: ["10.78.3.1/24"], to: itspNS, interface: "eth0",
                         addresses: ["\(Self.itspAddress)/24"])
            try lab.setDefaultRoute(itspNS, via: "10.78.3.1")
            work = lab.workDirectory + "/seed"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            for index in 0..<3 { try startBox(index) }
            let configPath = work + "/edge.yaml"
            try Self.configuration(dataDirectory: work + "/data").write(toFile: configPath, atomically: true, encoding: .utf8)
            edge = try lab.spawn(edgeNS, [binary, "signaling", "--config", configPath])
        } catch {
            lab.shutdown()
            throw error
        }
        do {
            try waitForEdge()
        } catch {
            lab.shutdown()
            throw error
        }
    }

    /// The edge answers its admin API and has probed all three boxes active.
    private func waitForEdge() throws {
        let edge = try #require(edge)
        try #require(edge.waitForOutput(containing: "signaling edge started", timeout: .seconds(10)),
                     "edge did not start: \(edge.standardError().suffix(2000))")
        let ready = waitUntil(seconds: 5) {
            let states = (try? self.dispatcherStates()) ?? [:]
            return states.count == 3 && states.values.allSatisfy { $0 == "active" }
        }
        try #require(ready, "boxes not all active: \((try? dispatcherStates()) ?? [:])")
    }

    func shutdown() { lab.shutdown() }

    // MARK: Boxes

    /// Starts box `index` (again): SIPp on its address:5080 with a fresh log file.
    func startBox(_ index: Int) throws {
        let log = "\(work)/fs\(index + 1)-\(boxLogs[index].count).log"
        boxLogs[index].append(log)
        boxes[index] = try lab.spawn(boxNS[index], [
            Self.sipp, "-sf", Self.scenario("seed-freeswitch.xml"), "-i", Self.boxAddresses[index], "-p", String(Self.boxPort),
            "-set", "itsp", Self.itspAddress, "-set", "extension", "alice@example.com",
            "-trace_logs", "-log_file", log, "-trace_err", "-error_file", "\(work)/fs\(index + 1)-errors.log",
            "-trace_msg", "-message_file", "\(work)/fs\(index + 1)-\(boxLogs[index].count - 1)-messages.log",
            "-nostdin", "-max_socket", "2000",
        ])
        // SIPp binds within a few ms; the probes are what tells the edge anyway.
        usleep(200_000)
    }

    /// Kills box `index` the hard way (a crashed FreeSWITCH: no goodbye, the port just stops answering).
    func killBox(_ index: Int) {
        boxes[index]?.kill()
        _ = boxes[index]?.wait(timeout: .seconds(2))
        boxes[index] = nil
    }

    /// Every INVITE the box received since the lab started: (R-URI user, Call-ID).
    func invites(atBox index: Int) -> [(user: String, callID: String)] {
        boxLogs[index].flatMap { path in
            LabTextFile.lines(path).compactMap { line -> (String, String)? in
                let words = line.split(separator: " ")
                guard words.count >= 4, words[0] == "invite" else { return nil }
                return (String(words[1]), String(words[3]))
            }
        }
    }

    /// INVITEs received by the box's current (latest started) SIPp only.
    func invitesOfLatestStart(atBox index: Int) -> [(user: String, callID: String)] {
        guard let path = boxLogs[index].last else { return [] }
        return LabTextFile.lines(path).compactMap { line -> (String, String)? in
            let words = line.split(separator: " ")
            guard words.count >= 4, words[0] == "invite" else { return nil }
            return (String(words[1]), String(words[3]))
        }
    }

    /// Which box (index) received each R-URI user of the caller run `pid` (the Call-IDs SIPp makes end in `-pid@ip`).
    func boxesByUser(ofRun pid: pid_t) -> [String: Set<Int>] {
        var result: [String: Set<Int>] = [:]
        for index in 0..<3 {
            for invite in invites(atBox: index) where invite.callID.contains("-\(pid)@") {
                result[invite.user, default: []].insert(index)
            }
        }
        return result
    }

    // MARK: Callers

    enum Caller {
        /// A phone behind the home router's NAT.
        case phone
        /// The ITSP gateway placing DID calls.
        case itsp
    }

    /// Places one call per `(user, domain)` through the edge with SIPp, at `rate` calls/s, and waits
    /// for SIPp to finish (bounded by `timeout`). The `LabProcess` pid identifies the run's Call-IDs.
    @discardableResult
    func call(from caller: Caller, _ numbers: [(user: String, domain: String)], rate: Double = 10, limit: Int = 50,
              timeout: Int = 40, wait: Bool = true) throws -> SeedCallRun
    {
        runs += 1
        nextPort += 1
        let csv = "\(work)/calls-\(runs).csv"
        try (["SEQUENTIAL"] + numbers.map { "\($0.user);\($0.domain);" }).joined(separator: "\n")
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let stats = "\(work)/calls-\(runs)-stats.csv"
        let (namespace, address) = caller == .phone ? (phoneNS, Self.phoneAddress) : (itspNS, Self.itspAddress)
        let process = try lab.spawn(namespace, [
            Self.sipp, "-sf", Self.scenario("seed-call.xml"), "-inf", csv, "-set", "caller", caller == .phone ? "bob" : "+15550001111",
            "-i", address, "-p", String(nextPort), "-m", String(numbers.count), "-r", String(format: "%.0f", rate * 10), "-rp", "10000",
            "-l", String(limit), "-trace_stat", "-stf", stats, "-fd", "1", "-trace_err", "-error_file", "\(work)/calls-\(runs)-errors.log",
            "-timeout", "\(timeout)s", "-timeout_error", "-nostdin", "\(Self.edgeAddress):5060",
        ])
        let run = SeedCallRun(process: process, statsPath: stats, errorsPath: "\(work)/calls-\(runs)-errors.log")
        if wait { _ = process.wait(timeout: .seconds(timeout + 5)) }
        return run
    }

    /// Starts an answering SIPp (`seed-answer.xml`) in `namespace`; for the phone, after registering
    /// alice@example.com from the same port so the binding holds that pinhole.
    func startAnswering(at caller: Caller) throws -> LabProcess {
        let (namespace, address, port) = caller == .phone ? (phoneNS, Self.phoneAddress, "5062") : (itspNS, Self.itspAddress, "5060")
        if caller == .phone {
            let register = try lab.run(namespace, [
                Self.sipp, "-sf", Self.scenario("seed-register.xml"), "-set", "user", "alice", "-set", "domain", "example.com",
                "-i", address, "-p", port, "-m", "1", "-timeout", "10s", "-timeout_error", "-nostdin", "\(Self.edgeAddress):5060",
            ], timeout: .seconds(15))
            try #require(register.exit.succeeded, "phone did not register: \(register.stdout.suffix(1500))")
        }
        let log = "\(work)/\(caller)-answer.log"
        let process = try lab.spawn(namespace, [
            Self.sipp, "-sf", Self.scenario("seed-answer.xml"), "-i", address, "-p", port,
            "-trace_logs", "-log_file", log, "-trace_err", "-error_file", "\(work)/\(caller)-answer-errors.log", "-nostdin",
        ])
        usleep(200_000)
        return process
    }

    /// INVITEs an answering party logged: (R-URI user, Call-ID).
    func answered(at caller: Caller) -> [(user: String, callID: String)] {
        LabTextFile.lines("\(work)/\(caller)-answer.log").compactMap { line in
            let words = line.split(separator: " ")
            guard words.count >= 3, words[0] == "invite" else { return nil }
            return (String(words[1]), String(words[2]))
        }
    }

    /// Bridges a box completed: (A-leg user, B-leg URI, A-leg Call-ID).
    func bridges(atBox index: Int) -> [(user: String, bleg: String, callID: String)] {
        boxLogs[index].flatMap { path in
            LabTextFile.lines(path).compactMap { line -> (String, String, String)? in
                let words = line.split(separator: " ")
                guard words.count >= 4, words[0] == "bridged" else { return nil }
                return (String(words[1]), String(words[2]), String(words[3]))
            }
        }
    }

    // MARK: Admin

    /// `GET /dispatcher` → state by box URI.
    func dispatcherStates() throws -> [String: String] {
        let body = try lab.withNamespace(edgeNS) { try adminGet(port: 9103, "/dispatcher") }
        guard let start = body.range(of: "\r\n\r\n")?.upperBound ?? body.range(of: "{")?.lowerBound,
              let json = try JSONSerialization.jsonObject(with: Data(body[start...].utf8)) as? [String: Any],
              let boxes = json["destinations"] as? [[String: Any]]
        else { return [:] }
        var states: [String: String] = [:]
        for box in boxes {
            if let uri = box["uri"] as? String, let state = box["state"] as? String { states[uri] = state }
        }
        return states
    }
}

/// One SIPp caller run and its statistics.
struct SeedCallRun {
    let process: LabProcess
    let statsPath: String
    let errorsPath: String

    var pid: pid_t { process.pid }

    /// The last line of SIPp's `-trace_stat` CSV as column → value.
    var statistics: [String: String] {
        let lines = LabTextFile.lines(statsPath)
        guard let header = lines.first, let last = lines.last, lines.count >= 2 else { return [:] }
        let names = header.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        let values = last.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        var result: [String: String] = [:]
        for (name, value) in zip(names, values) { result[name] = value }
        return result
    }

    var successful: Int { Int(statistics["SuccessfulCall(C)"] ?? "") ?? -1 }
    var failed: Int { Int(statistics["FailedCall(C)"] ?? "") ?? -1 }

    /// For failure messages: the counters and SIPp's unexpected-message trace.
    var summary: String {
        "successful=\(successful) failed=\(failed) exit=\(String(describing: process.exit)) "
            + "errors: \(LabTextFile.lines(errorsPath).suffix(15).joined(separator: "\n"))"
    }
}

enum LabTextFile {
    static func lines(_ path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
    }
}

/// Polls `condition` every 100 ms for up to `seconds`.
func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(100_000)
    }
    return condition()
}
