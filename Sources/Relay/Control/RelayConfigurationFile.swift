import Yams
#if canImport(Glibc)
import Glibc
#endif

/// The YAML config file of `tandem relay`: a mapping whose keys are the command-line option names
/// (`interface`, `listen-ng`, `port-min`, ...). Unknown keys are errors, so a typo never silently falls back to
/// a default. Errors name the file, line, column and key (from Yams' node marks).
///
/// ```yaml
/// interface: [internal/10.0.0.5, external/192.0.2.10!203.0.113.7]
/// listen-ng: 127.0.0.1:2223
/// port-min: 30000
/// port-max: 40000
/// timeout: 60
/// io-engine: auto
/// listen-http: 127.0.0.1:9102   # or listen-metrics (same); rtpengine's name
/// log-level: 6                  # swift-log name, or rtpengine's syslog number 0-7
/// ring-entries: 0          # io_uring SQ size per worker; 0 = from buffer-count
/// buffer-count: 4096       # receive buffers per worker (power of two)
/// buffer-size: 2048
/// batch-size: 64
/// learning-window: 3       # seconds a stream may still change its source (tandem's own option)
/// learning-packets: 0      # ... or this many packets, whichever comes first; 0 = no packet limit
/// kernel: auto            # off | auto | require
/// kernel-table: tandem
/// kernel-sysctls: check   # check | set (set ip_forward, rp_filter, ... when missing)
/// data-dir: ./var/relay
/// ```
public enum RelayConfigurationFile {
    /// Keys the file may hold.
    public static let keys: [String] = [
        "interface", "listen-ng", "port-min", "port-max", "timeout", "silent-timeout", "offer-timeout",
        "final-timeout", "delete-delay", "num-threads", "io-engine", "listen-metrics", "listen-http", "log-level",
        "max-ng-message-bytes", "kernel", "kernel-table", "kernel-sysctls", "data-dir", "ring-entries", "buffer-count",
        "buffer-size", "batch-size", "learning-window", "learning-packets",
    ]

    /// Reads `path` and applies it over `options`.
    public static func load(path: String, over options: RelayOptions) throws(RelayConfigurationError) -> RelayOptions {
        guard let text = readFile(path) else {
            throw RelayConfigurationError(file: path, line: 0, column: 0, key: nil, message: "cannot read file")
        }
        return try apply(yaml: text, file: path, over: options)
    }

    /// Applies YAML text (`file` names it in errors).
    public static func apply(yaml: String, file: String, over base: RelayOptions) throws(RelayConfigurationError) -> RelayOptions {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw RelayConfigurationError(file: file, yamlError: error)
        } catch {
            throw RelayConfigurationError(file: file, line: 0, column: 0, key: nil, message: "\(error)")
        }
        guard let root else { return base }
        guard case .mapping(let mapping) = root else {
            throw RelayConfigurationError(file: file, node: root, key: nil, message: "expected a mapping of option names")
        }
        var options = base
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else {
                throw RelayConfigurationError(file: file, node: keyNode, key: nil, message: "keys must be strings")
            }
            let fail = { (message: String) in RelayConfigurationError(file: file, node: value, key: key, message: message) }
            func integer() throws(RelayConfigurationError) -> Int {
                guard case .scalar(let scalar) = value, let number = Int(scalar.string) else { throw fail("expected an integer") }
                return number
            }
            func seconds() throws(RelayConfigurationError) -> Double {
                guard case .scalar(let scalar) = value, let number = Double(scalar.string), number.isFinite,
                      number >= 0 else { throw fail("expected a number of seconds (0 or more)") }
                return number
            }
            func text() throws(RelayConfigurationError) -> String {
                guard case .scalar(let scalar) = value else { throw fail("expected a string") }
                return scalar.string
            }
            func list() throws(RelayConfigurationError) -> [String] {
                switch value {
                case .scalar(let scalar): return [scalar.string]
                case .sequence(let sequence):
                    var items: [String] = []
                    for item in sequence {
                        guard case .scalar(let scalar) = item else {
                            throw RelayConfigurationError(file: file, node: item, key: key, message: "expected a string")
                        }
                        items.append(scalar.string)
                    }
                    return items
                default: throw fail("expected a string or a list of strings")
                }
            }
            switch key {
            case "interface": options.interfaces = try list()
            case "listen-ng": options.listenNG = try list()
            case "port-min": options.portMin = try integer()
            case "port-max": options.portMax = try integer()
            case "timeout": options.timeout = try integer()
            case "silent-timeout": options.silentTimeout = try integer()
            case "offer-timeout": options.offerTimeout = try integer()
            case "final-timeout": options.finalTimeout = try integer()
            case "delete-delay": options.deleteDelay = try integer()
            case "num-threads": options.numThreads = try integer()
            case "max-ng-message-bytes": options.maxNGMessageBytes = try integer()
            case "ring-entries": options.ringEntries = try integer()
            case "buffer-count": options.bufferCount = try integer()
            case "buffer-size": options.bufferSize = try integer()
            case "batch-size": options.batchSize = try integer()
            case "learning-window":
                options.learningWindow = try seconds()
                guard options.learningWindow <= 3600 else { throw fail("expected 0...3600 seconds") }
            case "learning-packets":
                options.learningPackets = try integer()
                guard (0...1_000_000).contains(options.learningPackets) else { throw fail("expected 0...1000000") }
            case "io-engine":
                guard let engine = IOEngineKind(rawValue: try text()) else { throw fail("expected uring, mmsg or auto") }
                options.ioEngine = engine
            // `listen-http` is rtpengine's name for its HTTP (Prometheus) listener; same meaning.
            case "listen-metrics", "listen-http": options.listenMetrics = try text()
            case "log-level":
                guard let level = RelayLogLevel.parse(try text()) else { throw fail("expected \(RelayLogLevel.expectation)") }
                options.logLevel = level.rawValue
            case "kernel":
                guard let mode = KernelMode(rawValue: try text()) else { throw fail("expected off, auto or require") }
                options.kernelMode = mode
            case "kernel-table": options.kernelTable = try text()
            case "kernel-sysctls":
                guard let policy = KernelSysctlPolicy(rawValue: try text()) else { throw fail("expected check or set") }
                options.kernelSysctls = policy
            case "data-dir": options.dataDirectory = try text()
            default:
                throw RelayConfigurationError(file: file, node: keyNode, key: key, message: "unknown key")
            }
        }
        return options
    }

    private static func readFile(_ path: String) -> String? {
        guard let handle = fopen(path, "rb") else { return nil }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, handle) }
            if count > 0 { bytes += chunk[0..<count] }
            if count < chunk.count { break }
            if bytes.count > 1 << 24 { return nil }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Errors of the relay's config file (the same type as the edge's: `ConfigurationFileError`).
public typealias RelayConfigurationError = ConfigurationFileError
