import Foundation
import Testing
@testable import Relay

/// The YAML config file, option parsing, and the real binary's shutdown.
@Suite struct RelayConfigTests {
    @Test func validFileAppliesOverDefaults() throws {
        let yaml = """
        interface:
          - internal/10.0.0.5
          - external/192.0.2.10!203.0.113.7
        listen-ng: [127.0.0.1:2223, "[::1]:2223"]
        port-min: 31000
        port-max: 31999
        timeout: 30
        io-engine: mmsg
        """
        let options = try RelayConfigurationFile.apply(yaml: yaml, file: "relay.yaml", over: RelayOptions())
        #expect(options.interfaces == ["internal/10.0.0.5", "external/192.0.2.10!203.0.113.7"])
        #expect(options.listenNG == ["127.0.0.1:2223", "[::1]:2223"])
        #expect(options.portMin == 31000 && options.portMax == 31999 && options.timeout == 30)
        #expect(options.ioEngine == .mmsg)
        let sessions = try options.sessionConfiguration()
        #expect(sessions.interfaces[1].name == "external")
        #expect(sessions.interfaces[1].advertisedAddress == MediaAddress(parsing: "203.0.113.7"))
        #expect(try RelayOptions.endpoint("[::1]:2223", key: "listen-ng").description == "[::1]:2223")
    }

    @Test func dataPlaneKnobsReachTheConfiguration() throws {
        let yaml = "num-threads: 2\nring-entries: 1024\nbuffer-count: 1024\nbuffer-size: 1024\nbatch-size: 32\n"
        let options = try RelayConfigurationFile.apply(yaml: yaml, file: "relay.yaml", over: RelayOptions())
        let plane = try options.dataPlaneConfiguration()
        #expect(plane.workerCount == 2 && plane.ringEntries == 1024 && plane.buffersPerWorker == 1024)
        #expect(plane.bufferSize == 1024 && plane.batchSize == 32)
        #expect(try RelayOptions().dataPlaneConfiguration().ringEntries == 0)  // sized from buffer-count
        for (key, bad) in [("ring-entries", 1000), ("buffer-count", 3000), ("buffer-size", 100), ("batch-size", 0)] {
            var o = RelayOptions()
            switch key {
            case "ring-entries": o.ringEntries = bad
            case "buffer-count": o.bufferCount = bad
            case "buffer-size": o.bufferSize = bad
            default: o.batchSize = bad
            }
            #expect(throws: RelayOptionError.self) { try o.dataPlaneConfiguration() }
            #expect((try? o.dataPlaneConfiguration()) == nil, "\(key)=\(bad) must be refused")
        }
    }

    @Test func badValueNamesFileLineAndKey() {
        let yaml = "port-min: 30000\nport-max: lots\n"
        #expect {
            _ = try RelayConfigurationFile.apply(yaml: yaml, file: "relay.yaml", over: RelayOptions())
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("relay.yaml:2:") && text.contains("key 'port-max'") && text.contains("integer")
        }
    }

    @Test func unknownKeyIsRejected() {
        let yaml = "port-min: 30000\n\nlisten-nq: 127.0.0.1:2223\n"
        #expect {
            _ = try RelayConfigurationFile.apply(yaml: yaml, file: "/etc/tandem/relay.yaml", over: RelayOptions())
        } throws: { error in
            "\(error)".hasPrefix("/etc/tandem/relay.yaml:3:") && "\(error)".contains("key 'listen-nq': unknown key")
        }
    }

    @Test func brokenYAMLNamesTheLine() {
        let yaml = "port-min: 30000\ninterface: [a, b\n"
        #expect {
            _ = try RelayConfigurationFile.apply(yaml: yaml, file: "x.yaml", over: RelayOptions())
        } throws: { error in
            guard let error = error as? RelayConfigurationError else { return false }
            return error.file == "x.yaml" && error.line >= 2
        }
    }

    @Test func sigtermStopsTheBinaryWithExitZero() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let binary = root.appendingPathComponent(".build/debug/tandem")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            Issue.record("\(binary.path) is missing; run swift build first")
            return
        }
        let start = RelayPortRanges.next(size: 8)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["relay", "--listen-ng", "127.0.0.1:0", "--listen-metrics", "127.0.0.1:0",
                             "--port-min", "\(start)", "--port-max", "\(start + 7)", "--io-engine", "mmsg",
                             "--kernel", "off"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        // Wait for the "listening" log line, bounded.
        var log = Data()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, !String(decoding: log, as: UTF8.self).contains("serving metrics") {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            log.append(chunk)
        }
        #expect(String(decoding: log, as: UTF8.self).contains("data plane engine"))
        process.terminate() // SIGTERM
        let stopped = Date().addingTimeInterval(10)
        while process.isRunning && Date() < stopped { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }
}
