import ArgumentParser
import Logging
import Relay
#if canImport(Glibc)
import Glibc
#endif

/// `tandem relay`: the rtpengine-compatible ng-controlled RTP relay. Option names follow rtpengine's.
struct RelayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Run the ng-controlled RTP relay (rtpengine-compatible control protocol).",
        discussion: "Defaults run on loopback: interface 127.0.0.1, ports 30000-40000, ng on 127.0.0.1:2223, "
            + "metrics on 127.0.0.1:9102. Flags override the --config file. See docs/RELAY.md."
    )

    @Option(name: .customLong("config"), help: "YAML config file (keys are the long option names).")
    var config: String?

    @Option(name: .customLong("interface"), help: "Relay interface: name/address[!advertised] or address (repeatable).")
    var interfaces: [String] = []

    @Option(name: .customLong("listen-ng"), help: "ng control address host:port, [v6]:port or port (repeatable).")
    var listenNG: [String] = []

    @Option(name: .customLong("port-min"), help: "Lowest media port.") var portMin: Int?
    @Option(name: .customLong("port-max"), help: "Highest media port.") var portMax: Int?
    @Option(name: .customLong("timeout"), help: "Seconds without media before a call is closed.") var timeout: Int?
    @Option(name: .customLong("silent-timeout"), help: "Seconds one side may stay silent (or on hold) while the other sends.") var silentTimeout: Int?
    @Option(name: .customLong("offer-timeout"), help: "Seconds an unanswered offer lives without media.") var offerTimeout: Int?
    @Option(name: .customLong("final-timeout"), help: "Seconds after which any call is closed (0 = never).") var finalTimeout: Int?
    @Option(name: .customLong("delete-delay"), help: "Seconds a deleted call keeps its ports (default 0; rtpengine's is 30).") var deleteDelay: Int?
    @Option(name: .customLong("learning-window"),
            help: "Seconds a stream may still change its source before new sources are dropped as RTP bleed (default 3).")
    var learningWindow: Double?
    @Option(name: .customLong("learning-packets"),
            help: "Also end the learning window after this many packets, whichever comes first (0 = no limit).")
    var learningPackets: Int?
    @Option(name: .customLong("num-threads"), help: "Data plane worker threads (0 = one per CPU).") var numThreads: Int?
    @Option(name: .customLong("io-engine"), help: "uring, mmsg or auto.") var ioEngine: String?
    @Option(name: .customLong("ring-entries"), help: "io_uring submission entries per worker (0 = from --buffer-count).")
    var ringEntries: Int?
    @Option(name: .customLong("buffer-count"), help: "Receive buffers per worker (power of two, default 4096).")
    var bufferCount: Int?
    @Option(name: .customLong("buffer-size"), help: "Bytes per receive buffer (default 2048).") var bufferSize: Int?
    @Option(name: .customLong("batch-size"), help: "Datagrams per recvmmsg/sendmmsg, completions per ring peek (default 64).")
    var batchSize: Int?
    @Option(name: [.customLong("listen-metrics"), .customLong("listen-http")],
            help: "Prometheus endpoint host:port ('' disables); --listen-http is rtpengine's name for it.")
    var listenMetrics: String?
    @Option(name: .customLong("kernel"), help: "Kernel (nftables) offload of established streams: off, auto or require.")
    var kernel: String?
    @Option(name: .customLong("kernel-table"), help: "nftables table the relay owns (family ip).") var kernelTable: String?
    @Option(name: .customLong("kernel-sysctls"),
            help: "Sysctls the kernel path needs (ip_forward, rp_filter, ...): check (log what is missing) or set.")
    var kernelSysctls: String?
    @Option(name: .customLong("data-dir"), help: "Directory of the kernel offload journal (default ./var/relay).")
    var dataDir: String?
    @Option(name: .customLong("log-level"),
            help: "trace, debug, info, notice, warning, error, critical, or rtpengine's syslog number 0-7.")
    var logLevel: String?

    func run() throws {
        ShutdownSignal.install()
        var options = RelayOptions()
        if let config {
            do {
                options = try RelayConfigurationFile.load(path: config, over: options)
            } catch {
                throw ValidationError("config: \(error)")
            }
        }
        if !interfaces.isEmpty { options.interfaces = interfaces }
        if !listenNG.isEmpty { options.listenNG = listenNG }
        if let portMin { options.portMin = portMin }
        if let portMax { options.portMax = portMax }
        if let timeout { options.timeout = timeout }
        if let silentTimeout { options.silentTimeout = silentTimeout }
        if let offerTimeout { options.offerTimeout = offerTimeout }
        if let finalTimeout { options.finalTimeout = finalTimeout }
        if let deleteDelay { options.deleteDelay = deleteDelay }
        if let numThreads { options.numThreads = numThreads }
        if let learningWindow { options.learningWindow = learningWindow }
        if let learningPackets { options.learningPackets = learningPackets }
        if let ioEngine {
            guard let kind = IOEngineKind(rawValue: ioEngine) else {
                throw ValidationError("--io-engine must be uring, mmsg or auto")
            }
            options.ioEngine = kind
        }
        if let ringEntries { options.ringEntries = ringEntries }
        if let bufferCount { options.bufferCount = bufferCount }
        if let bufferSize { options.bufferSize = bufferSize }
        if let batchSize { options.batchSize = batchSize }
        if let listenMetrics { options.listenMetrics = listenMetrics }
        if let logLevel { options.logLevel = logLevel }
        if let kernel {
            guard let mode = KernelMode(rawValue: kernel) else { throw ValidationError("--kernel must be off, auto or require") }
            options.kernelMode = mode
        }
        if let kernelTable { options.kernelTable = kernelTable }
        if let kernelSysctls {
            guard let policy = KernelSysctlPolicy(rawValue: kernelSysctls) else {
                throw ValidationError("--kernel-sysctls must be check or set")
            }
            options.kernelSysctls = policy
        }
        if let dataDir { options.dataDirectory = dataDir }
        guard let level = RelayLogLevel.parse(options.logLevel) else {
            throw ValidationError("--log-level '\(options.logLevel)': expected \(RelayLogLevel.expectation)")
        }

        // Log lines carry local time. Without TZ, glibc's strftime (via tzset) stats /etc/localtime again for every
        // line: 1.5% of the relay's CPU at ng setup rates, where each deleted call logs "call ended" (issue 3).
        // TZ=:/etc/localtime names the same zone and is read once. An operator's own TZ is kept. Set before the
        // relay starts any thread (setenv is not thread-safe).
        setenv("TZ", ":/etc/localtime", 0)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: RelayLibrary.name)
        let server: RelayServer
        do {
            server = try RelayServer(options: options, logger: logger)
        } catch {
            logger.critical("relay failed to start", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
        let signal = ShutdownSignal.wait()
        logger.notice("shutting down", metadata: ["signal": "\(signal)"])
        server.stop()
    }
}
