/// Everything `tandem relay` can be told, with rtpengine's option names. Built from defaults, then the YAML
/// config file, then command-line flags (flags win).
public struct RelayOptions: Sendable, Equatable {
    /// `interface`: `name/address[!advertised]` or a plain address (named `default`).
    public var interfaces: [String] = ["127.0.0.1"]
    /// `listen-ng`: `host:port`, `[v6]:port` or a bare port (on 127.0.0.1).
    public var listenNG: [String] = ["127.0.0.1:2223"]
    public var portMin: Int = 30000
    public var portMax: Int = 40000
    public var timeout: Int = 60
    public var silentTimeout: Int = 3600
    public var offerTimeout: Int = 3600
    /// 0 turns it off.
    public var finalTimeout: Int = 0
    /// `delete-delay`: seconds a deleted call keeps its ports. 0 (rtpengine: 30) so freed ports are reusable at
    /// once, as issue 3 asks; `delete-delay: 30` or ng's `delete delay` key still ask for the delay.
    public var deleteDelay: Int = 0
    /// `learning-window` (tandem's own option; rtpengine's window is fixed): seconds after a stream's first packet
    /// during which its source may still change (NAT latching); after it a new source is RTP bleed and dropped
    /// unless `media handover`. 0 = no time limit (then `learning-packets` must be set).
    public var learningWindow: Double = 3
    /// `learning-packets` (tandem's own option): the window also ends after this many packets, whichever comes
    /// first; 0 = no packet limit.
    public var learningPackets: Int = 0
    /// Data plane worker threads; 0 = one per online CPU.
    public var numThreads: Int = 0
    public var ioEngine: IOEngineKind = .auto
    /// `ring-entries`: io_uring submission queue size per worker; 0 = sized from `buffer-count` (256...4096).
    public var ringEntries: Int = 0
    /// `buffer-count`: receive buffers per worker (io_uring's provided-buffer ring; a power of two). It bounds the
    /// packets a worker holds in flight.
    public var bufferCount: Int = 4096
    /// `buffer-size`: bytes per receive buffer; larger datagrams are dropped as truncated.
    public var bufferSize: Int = 2048
    /// `batch-size`: datagrams per recvmmsg/sendmmsg call (mmsg), completions per ring peek (io_uring).
    public var batchSize: Int = 64
    /// `listen-metrics` (or rtpengine's name, `listen-http`): the Prometheus endpoint; empty string turns it off.
    public var listenMetrics: String = "127.0.0.1:9102"
    /// `log-level`: a swift-log name or rtpengine's syslog number 0-7 (see `RelayLogLevel`).
    public var logLevel: String = "info"
    /// Largest ng datagram accepted (bigger ones get an error reply).
    public var maxNGMessageBytes: Int = 60 * 1024
    /// `kernel`: whether established streams are forwarded by nftables (`off`, `auto`, `require`).
    public var kernelMode: KernelMode = .auto
    /// `kernel-table`: the nftables table (family `ip`) the relay owns.
    public var kernelTable: String = "tandem"
    /// `kernel-sysctls`: whether the relay only checks the sysctls the kernel path needs (`check`) or sets the
    /// missing ones (`set`).
    public var kernelSysctls: KernelSysctlPolicy = .check
    /// `data-dir`: where the kernel offload journal lives (re-adoption after a crash).
    public var dataDirectory: String = "./var/relay"

    public init() {}

    /// The session layer's configuration; throws `RelayOptionError` for bad interface specs or ranges.
    public func sessionConfiguration() throws(RelayOptionError) -> SessionConfiguration {
        guard portMin > 0, portMax <= 65535, portMin < portMax else {
            throw .invalid(key: "port-min/port-max", value: "\(portMin)-\(portMax)")
        }
        guard !interfaces.isEmpty else { throw .invalid(key: "interface", value: "(none)") }
        var parsed: [RelayInterface] = []
        for spec in interfaces {
            parsed.append(try RelayOptions.interface(spec, portMin: UInt16(portMin), portMax: UInt16(portMax)))
        }
        for (name, value) in [("timeout", timeout), ("silent-timeout", silentTimeout),
                              ("offer-timeout", offerTimeout), ("final-timeout", finalTimeout),
                              ("delete-delay", deleteDelay)] where value < 0 {
            throw .invalid(key: name, value: "\(value)")
        }
        return SessionConfiguration(interfaces: parsed, timeout: Int64(timeout), silentTimeout: Int64(silentTimeout),
                                    offerTimeout: Int64(offerTimeout), finalTimeout: Int64(finalTimeout),
                                    deleteDelay: Int64(deleteDelay))
    }

    /// The data plane's sizing from the tuning options; throws `RelayOptionError` for values out of range, so a
    /// typo is an error at start rather than a silently clamped setting.
    public func dataPlaneConfiguration() throws(RelayOptionError) -> DataPlaneConfiguration {
        func power(_ value: Int) -> Bool { value > 0 && value & (value - 1) == 0 }
        guard ringEntries == 0 || (power(ringEntries) && (16...32768).contains(ringEntries)) else {
            throw .invalid(key: "ring-entries", value: "\(ringEntries) (0, or a power of two 16...32768)")
        }
        guard power(bufferCount), (8...32768).contains(bufferCount) else {
            throw .invalid(key: "buffer-count", value: "\(bufferCount) (a power of two 8...32768)")
        }
        guard (256...65536).contains(bufferSize) else {
            throw .invalid(key: "buffer-size", value: "\(bufferSize) (256...65536)")
        }
        guard (1...1024).contains(batchSize) else { throw .invalid(key: "batch-size", value: "\(batchSize) (1...1024)") }
        guard numThreads >= 0, numThreads <= 256 else { throw .invalid(key: "num-threads", value: "\(numThreads)") }
        var configuration = DataPlaneConfiguration(engine: ioEngine, buffersPerWorker: bufferCount,
                                                   bufferSize: bufferSize, batchSize: batchSize,
                                                   ringEntries: ringEntries)
        if numThreads > 0 { configuration.workerCount = numThreads }
        return configuration
    }

    /// The data plane's learning window from `learning-window`/`learning-packets`; throws `RelayOptionError` for
    /// negative or absurd values, and for both limits off (a stream would never lock: no bleed protection).
    public func learningWindowLimits() throws(RelayOptionError) -> LearningWindow {
        guard learningWindow.isFinite, (0...3600).contains(learningWindow) else {
            throw .invalid(key: "learning-window", value: "\(learningWindow) (0...3600 seconds)")
        }
        guard (0...1_000_000).contains(learningPackets) else {
            throw .invalid(key: "learning-packets", value: "\(learningPackets) (0...1000000)")
        }
        let nanoseconds = UInt64(learningWindow * 1_000_000_000)
        guard nanoseconds > 0 || learningPackets > 0 else {
            throw .invalid(key: "learning-window", value: "0 (needs learning-packets > 0, or streams never lock)")
        }
        return LearningWindow(packets: UInt32(learningPackets), nanoseconds: nanoseconds)
    }

    /// `name/address[!advertised]`, `address[!advertised]`.
    static func interface(_ spec: String, portMin: UInt16, portMax: UInt16) throws(RelayOptionError) -> RelayInterface {
        var name = "default"
        var rest = Substring(spec)
        if let slash = rest.firstIndex(of: "/") {
            name = String(rest[..<slash])
            rest = rest[rest.index(after: slash)...]
        }
        var advertised: MediaAddress?
        if let bang = rest.firstIndex(of: "!") {
            guard let parsed = MediaAddress(parsing: rest[rest.index(after: bang)...]) else {
                throw .invalid(key: "interface", value: spec)
            }
            advertised = parsed
            rest = rest[..<bang]
        }
        guard !name.isEmpty, let address = MediaAddress(parsing: rest) else { throw .invalid(key: "interface", value: spec) }
        return RelayInterface(name: name, address: address, advertisedAddress: advertised, portMin: portMin, portMax: portMax)
    }

    /// `host:port`, `[v6]:port`, or a bare port on 127.0.0.1.
    public static func endpoint(_ text: String, key: String) throws(RelayOptionError) -> SocketEndpoint {
        if let port = UInt16(text) {
            guard let endpoint = SocketEndpoint(address: "127.0.0.1", port: port) else { throw .invalid(key: key, value: text) }
            return endpoint
        }
        var host: Substring
        var portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            guard after.hasPrefix(":") else { throw .invalid(key: key, value: text) }
            portText = after.dropFirst()
        } else if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            throw .invalid(key: key, value: text)
        }
        if host == "localhost" { host = "127.0.0.1" }
        guard let port = UInt16(portText), let endpoint = SocketEndpoint(address: String(host), port: port) else {
            throw .invalid(key: key, value: text)
        }
        return endpoint
    }
}

/// A bad option value.
public enum RelayOptionError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(key: String, value: String)

    public var description: String {
        switch self {
        case .invalid(let key, let value): return "invalid value for \(key): '\(value)'"
        }
    }
}
