import ArgumentParser
import Dispatch
import Foundation
import Logging
import Signaling

/// `tandem signaling`: the SIP edge in front of the FreeSWITCH farm (proxy, registrar, NAT keepalives).
struct SignalingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signaling",
        abstract: "Run the SIP edge proxy / registrar in front of a FreeSWITCH farm.",
        discussion: "Defaults: UDP+TCP on 127.0.0.1:5060, local registrar for any domain, data in ./var/signaling, "
            + "admin HTTP on 127.0.0.1:9103. Flags override the --config file. SIGHUP reloads the config file "
            + "(farm, registrar limits, keepalive); SIGTERM drains and exits. See docs/SIGNALING.md."
    )

    @Option(name: .customLong("config"), help: "YAML config file.") var config: String?
    @Option(name: .customLong("listen"), help: "Listener transport:host:port, e.g. udp:127.0.0.1:5060 (repeatable).")
    var listen: [String] = []
    @Option(name: .customLong("farm"), help: "Farm backend sip:host:port (repeatable; a round-robin dispatcher set \"farm\").") var farm: [String] = []
    @Option(name: .customLong("data-dir"), help: "Directory of the SQLite location file.") var dataDir: String?
    @Option(name: .customLong("location-store"),
            help: "memory | sqlite: keep bindings in memory only (lost on restart, like usrloc db_mode 0) or also in location.sqlite (default).")
    var locationStore: String?
    @Option(name: .customLong("keepalive-interval"), help: "Seconds between keepalive OPTIONS to NATed bindings.")
    var keepaliveInterval: Double?
    @Flag(name: .customLong("no-keepalive"), help: "Do not send keepalives.") var noKeepalive = false
    @Flag(name: .customLong("no-keepalive-twin"),
          help: "Send UDP keepalives through the listener's own socket instead of its twin on the same port.")
    var noKeepaliveTwin = false
    @Option(name: .customLong("admin"), help: "Admin HTTP host:port ('' disables).") var admin: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical.") var logLevel: String?

    /// File, then flags over it. Also used on SIGHUP (flags keep winning over the reloaded file).
    func options() throws -> EdgeConfiguration {
        var options = EdgeConfiguration()
        if let config {
            do {
                options = try EdgeConfigurationFile.load(path: config, over: options)
            } catch {
                throw ValidationError("config: \(error)")
            }
        }
        if !listen.isEmpty {
            options.listeners = try listen.map { text in
                guard let listener = EdgeListener(flag: text) else {
                    throw ValidationError("--listen \(text): expected udp:HOST:PORT or tcp:HOST:PORT")
                }
                return listener
            }
        }
        if !farm.isEmpty {
            options.farm = try farm.map { text in
                guard let peer = EdgeAddressText.farmPeer(text) else { throw ValidationError("--farm \(text): expected sip:HOST:PORT") }
                return peer
            }
        }
        if let dataDir { options.dataDirectory = dataDir }
        if let locationStore {
            guard let store = EdgeLocationStore(rawValue: locationStore.lowercased()) else {
                throw ValidationError("--location-store \(locationStore): expected \(EdgeLocationStore.choices)")
            }
            options.locationStore = store
        }
        if let keepaliveInterval {
            guard keepaliveInterval >= 0.2 else { throw ValidationError("--keepalive-interval must be at least 0.2 s") }
            options.keepalive.intervalMilliseconds = Int64(keepaliveInterval * 1000)
        }
        if noKeepalive { options.keepalive.enabled = false }
        if noKeepaliveTwin { options.keepalive.twin = false }
        if let admin {
            guard admin.isEmpty || EdgeAddressText.hostPort(admin) != nil else { throw ValidationError("--admin: expected host:port") }
            options.admin = admin.isEmpty ? nil : admin
        }
        if let logLevel { options.logLevel = logLevel }
        return options
    }

    func run() async throws {
        let options = try options()
        guard let level = Logger.Level(rawValue: options.logLevel) else {
            throw ValidationError("log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: SignalingLibrary.name)
        let signals = SignalStream()
        let server: EdgeServer
        do {
            server = try await EdgeServer.start(configuration: options, logger: logger)
        } catch {
            logger.critical("signaling failed to start", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
        for await signal in signals.stream {
            if signal == SIGHUP {
                do {
                    try await server.reload(try self.options())
                } catch {
                    logger.error("reload failed; keeping the running configuration", metadata: ["error": "\(error)"])
                }
                continue
            }
            logger.notice("shutting down", metadata: ["signal": "\(signal)"])
            break
        }
        await server.stop()
    }
}

/// SIGTERM / SIGINT / SIGHUP as an async stream (Dispatch signal sources; the default actions are
/// ignored so the process is not killed before the drain).
final class SignalStream {
    let stream: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    init() {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }
}
