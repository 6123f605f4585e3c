/// What `tandem perf sip` runs: which shipped SIPp scenario, against which proxy, how fast and for how long.
public struct SIPLoadConfiguration: Sendable, Hashable, Codable {
    public enum Scenario: String, Sendable, Hashable, Codable, CaseIterable {
        /// `register.xml`: one REGISTER per call, users from a generated injection file.
        case register
        /// `uac-calls.xml` INVITE…BYE through the proxy to a SIPp UAS (`uas-calls.xml`).
        case calls

        var uacFile: String { self == .register ? "register.xml" : "uac-calls.xml" }
    }

    public var scenario: Scenario
    /// The proxy under test, HOST:PORT (SIPp's remote address).
    public var proxy: String
    /// Folder holding the shipped scenarios (perf/sip).
    public var scenarioDirectory: String
    /// Where users.csv, the statistics and the RTT files go (SIPp writes RTT files into its working directory).
    public var workDirectory: String
    public var sipp: String = "sipp"
    public var localAddress: String = "127.0.0.1"
    /// SIPp UAC's local port.
    public var localPort: Int = 5090
    /// The UAS for `.calls`: started by the runner on `localAddress:uasPort` unless `startUAS` is off (then
    /// `uasAddress` names a UAS someone else runs, e.g. the farm backend of `tandem signaling`).
    public var uasPort: Int = 5080
    public var uasAddress: String?
    public var startUAS: Bool = true
    /// Users in users.csv (`.register`) and their domain.
    public var users: Int = 10_000
    public var domain: String = "example.com"
    /// Calls (or REGISTERs) per second.
    public var rate: Double = 100
    /// Upper bounds: the run makes min(maxCalls, rate × duration) calls and SIPp is stopped at duration + grace.
    public var maxCalls: Int?
    public var durationSeconds: Double = 10
    /// Call hold time between ACK and BYE (`sipp -d`).
    public var holdMilliseconds: Int = 0
    /// Pin SIPp (UAC and UAS) to this CPU with taskset.
    public var sippCPU: Int?
    /// SIPp's socket buffers (`-buff_size`; default 64 KiB): at thousands of requests per second the default
    /// drops responses in bursts, and the retransmissions that follow measure SIPp, not the proxy. Capped by
    /// net.core.rmem_max/wmem_max (see `tandem perf doctor`).
    public var socketBufferBytes: Int = 4 << 20
    /// Process whose CPU use (with its direct children: forked workers) is sampled over the run.
    public var proxyPID: Int32?

    public init(scenario: Scenario, proxy: String, scenarioDirectory: String, workDirectory: String) {
        self.scenario = scenario
        self.proxy = proxy
        self.scenarioDirectory = scenarioDirectory
        self.workDirectory = workDirectory
    }

    /// The number of calls SIPp is told to make (`-m`).
    public var callLimit: Int {
        let byDuration = max(1, Int((rate * durationSeconds).rounded()))
        return min(maxCalls ?? byDuration, byDuration)
    }

    /// SIPp's global `-timeout` in seconds: the planned duration, plus as much again (at least 10 s) for a proxy
    /// that falls behind, plus the hold time. A stuck proxy ends the run instead of hanging it.
    public var sippTimeoutSeconds: Int {
        Int((durationSeconds + max(10, durationSeconds)).rounded(.up)) + holdMilliseconds / 1000 + 1
    }

    /// `HOST:PORT` the UAC's Request-URI names.
    public var effectiveUASAddress: String { uasAddress ?? "\(localAddress):\(uasPort)" }

    /// The UAC's SIPp arguments (without taskset), for a run in `workDirectory`.
    public func uacArguments() -> [String] {
        var args = [proxy, "-sf", scenarioDirectory + "/" + scenario.uacFile,
                    "-i", localAddress, "-p", String(localPort),
                    "-r", String(Int(rate.rounded())), "-m", String(callLimit),
                    "-trace_stat", "-stf", "stat.csv", "-fd", "1",
                    "-trace_rtt", "-rtt_freq", "1",
                    "-trace_err", "-error_file", "uac-errors.log",
                    "-nostdin", "-timeout", "\(sippTimeoutSeconds)s", "-buff_size", String(socketBufferBytes)]
        switch scenario {
        case .register:
            args += ["-inf", "users.csv"]
        case .calls:
            args += ["-key", "uas_addr", effectiveUASAddress, "-s", "perf", "-d", String(holdMilliseconds)]
        }
        return args
    }

    /// The UAS's SIPp arguments (calls only).
    public func uasArguments() -> [String] {
        ["-sf", scenarioDirectory + "/uas-calls.xml", "-i", localAddress, "-p", String(uasPort),
         "-nostdin", "-buff_size", String(socketBufferBytes),
         // SIPp stops reading once -l calls are open (default 3 × call duration × -r, and a UAS has -r 10).
         "-l", "200000"]
    }
}
