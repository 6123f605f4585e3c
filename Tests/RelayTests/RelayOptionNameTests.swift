import Foundation
import Glibc
import Logging
import Testing
@testable import Relay

/// rtpengine's option names and values carried over: `listen-http` for the metrics listener, syslog numbers for
/// `log-level` (in YAML and on the real binary's command line).
@Suite struct RelayOptionNameTests {
    @Test func logLevelTakesSwiftLogNamesAndSyslogNumbers() {
        for level in Logger.Level.allCases { #expect(RelayLogLevel.parse(level.rawValue) == level) }
        let syslog: [(String, Logger.Level)] = [
            ("0", .critical), ("1", .critical), ("2", .critical), ("3", .error), ("4", .warning), ("5", .notice),
            ("6", .info), ("7", .debug),
        ]
        for (text, level) in syslog { #expect(RelayLogLevel.parse(text) == level, "\(text)") }
        for bad in ["8", "9", "-1", "06", "10", "", "Info", "warn", "err", " 6", "6 "] {
            #expect(RelayLogLevel.parse(bad) == nil, "'\(bad)' must be refused")
        }
    }

    @Test func yamlAcceptsListenHTTPAndSyslogLogLevel() throws {
        let options = try RelayConfigurationFile.apply(yaml: "listen-http: 127.0.0.1:9999\nlog-level: 6\n",
                                                       file: "relay.yaml", over: RelayOptions())
        #expect(options.listenMetrics == "127.0.0.1:9999")
        #expect(options.logLevel == "info")
        let named = try RelayConfigurationFile.apply(yaml: "log-level: 3\nlisten-metrics: ''\n", file: "relay.yaml",
                                                     over: RelayOptions())
        #expect(named.logLevel == "error" && named.listenMetrics.isEmpty)
        #expect(try RelayConfigurationFile.apply(yaml: "log-level: notice", file: "r.yaml", over: RelayOptions())
            .logLevel == "notice")
    }

    @Test func yamlRefusesAnUnknownLogLevelWithFileLineAndKey() {
        for bad in ["8", "loud", "[6]"] {
            #expect {
                _ = try RelayConfigurationFile.apply(yaml: "timeout: 30\nlog-level: \(bad)\n", file: "relay.yaml",
                                                     over: RelayOptions())
            } throws: { error in
                let text = "\(error)"
                return text.hasPrefix("relay.yaml:2:") && text.contains("key 'log-level'")
                    && (bad == "[6]" || text.contains("syslog level 0-7"))
            }
        }
    }

    /// The real binary: `--listen-http` serves metrics, `--log-level 7` is debug, `--log-level 8` is refused.
    @Test func binaryTakesRtpengineSpellings() throws {
        let binary = RelayEngineFallbackTests.tandemBinary
        try #require(FileManager.default.isExecutableFile(atPath: binary), "\(binary) is missing; run swift build")
        let directory = NSTemporaryDirectory() + "tandem-optnames-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ports = RelayPortRanges.next(size: 8)
        let ng = InteropNet.freeUDPPort()
        let common = ["relay", "--listen-ng", "127.0.0.1:\(ng)", "--port-min", "\(ports)", "--port-max",
                      "\(ports + 7)", "--num-threads", "1", "--kernel", "off", "--io-engine", "mmsg",
                      "--buffer-count", "256"]

        let refused = try InteropChildProcess(name: "bad-level", executable: binary,
                                              arguments: common + ["--log-level", "8"], logPath: directory + "/bad.log")
        defer { refused.stop() }
        let refusedExit = refused.waitForExit(seconds: 10)
        #expect(refusedExit != nil && refusedExit != 0)
        #expect(refused.logTail().contains("--log-level '8': expected"), "\(refused.logTail())")

        let relay = try InteropChildProcess(name: "rtpengine-names", executable: binary,
                                            arguments: common + ["--listen-http", "127.0.0.1:0",
                                                                 "--log-level", "7"],
                                            logPath: directory + "/relay.log")
        defer { relay.stop() }
        #expect(InteropNet.waitForNGPong(host: "127.0.0.1", port: ng, seconds: 10))
        let served = RelayUnderTest.eventually(timeoutMs: 5000) { relay.logTail(100_000).contains("serving metrics") }
        #expect(served, "\(relay.logTail())")
        // The log names the port the kernel picked: "... url=http://127.0.0.1:NNNN/metrics".
        let log = relay.logTail(100_000)
        let portText = log.components(separatedBy: "url=http://127.0.0.1:").dropFirst().first?
            .prefix { $0.isNumber } ?? ""
        if let port = UInt16(portText), let endpoint = SocketEndpoint(address: "127.0.0.1", port: port) {
            let text = try RelayHTTP.get("/metrics", from: endpoint)
            #expect(text.contains("tandem_relay_io_engine{engine=\"mmsg\"} 1\n"))
        } else {
            Issue.record("no metrics URL in the log: \(log)")
        }
        // Level 7 is debug: the pings above are logged at debug (after their reply leaves, hence the wait).
        let debugLogged = RelayUnderTest.eventually(timeoutMs: 5000) {
            relay.logTail(100_000).contains(" debug tandem-relay: command=ping result=pong")
        }
        #expect(debugLogged, "\(relay.logTail())")
    }
}
