import Foundation
import Testing
@testable import Signaling

/// `location: { store: memory | sqlite }`: the memory store (usrloc `db_mode 0`) answers REGISTERs like the
/// default but never creates `location.sqlite`.
@Suite("EdgeLocationStore", .serialized, .timeLimit(.minutes(1)))
struct EdgeLocationStoreTests {
    @Test func configDefaultsToSQLiteAndReadsBothStores() throws {
        #expect(EdgeConfiguration().locationStore == .sqlite)
        let memory = try EdgeConfigurationFile.apply(yaml: "location: { store: memory }", file: "edge.yaml",
                                                     over: EdgeConfiguration())
        #expect(memory.locationStore == .memory)
        let sqlite = try EdgeConfigurationFile.apply(yaml: "location:\n  store: SQLite\n", file: "edge.yaml", over: memory)
        #expect(sqlite.locationStore == .sqlite)
        let untouched = try EdgeConfigurationFile.apply(yaml: "data_dir: /tmp/x", file: "edge.yaml", over: memory)
        #expect(untouched.locationStore == .memory)
    }

    @Test func badStoreValueNamesFileLineAndKey() {
        let yaml = "farm: [\"sip:127.0.0.1:5080\"]\nlocation:\n  store: redis\n"
        do {
            _ = try EdgeConfigurationFile.apply(yaml: yaml, file: "edge.yaml", over: EdgeConfiguration())
            Issue.record("accepted store: redis")
        } catch {
            #expect(error.line == 3)
            #expect(error.key == "location.store")
            #expect(error.description.hasPrefix("edge.yaml:3:"))
            #expect(error.description.contains("memory or sqlite"))
        }
        do {
            _ = try EdgeConfigurationFile.apply(yaml: "location: { db_mode: 0 }", file: "edge.yaml", over: EdgeConfiguration())
            Issue.record("accepted location.db_mode")
        } catch {
            #expect(error.key == "location.db_mode")
        }
    }

    @Test func memoryStoreRegistersAndWritesNoFile() async throws {
        let directory = makeTemporaryDirectory()
        let edge = try await startTestEdge(dataDirectory: directory) { $0.locationStore = .memory }
        let phone = try TestUDPClient()
        phone.send(register(phone: phone, cseq: 1), toPort: edge.udpPort)
        let reply = try #require(receive(phone) { $0.hasPrefix("SIP/2.0") })
        #expect(reply.hasPrefix("SIP/2.0 200"))
        #expect(headerValue(reply, "Contact")?.contains("sip:alice@127.0.0.1:\(phone.port)") == true)
        #expect(try await edge.bindings().count == 1)
        await edge.stop()
        #expect(!FileManager.default.fileExists(atPath: directory + "/location.sqlite"))

        // A restart starts empty: nothing was kept.
        let again = try await startTestEdge(dataDirectory: directory) { $0.locationStore = .memory }
        #expect(try await again.bindings().isEmpty)
        await again.stop()
        #expect(!FileManager.default.fileExists(atPath: directory + "/location.sqlite"))
    }

    @Test func sqliteStoreKeepsBindingsAcrossARestart() async throws {
        let directory = makeTemporaryDirectory()
        let edge = try await startTestEdge(dataDirectory: directory)
        let phone = try TestUDPClient()
        phone.send(register(phone: phone, cseq: 1), toPort: edge.udpPort)
        #expect(receive(phone) { $0.hasPrefix("SIP/2.0 200") } != nil)
        await edge.stop()
        #expect(FileManager.default.fileExists(atPath: directory + "/location.sqlite"))
        let again = try await startTestEdge(dataDirectory: directory)
        #expect(try await again.bindings().count == 1)
        await again.stop()
    }

    func register(phone: TestUDPClient, cseq: Int) -> String {
        sipRequest([
            "REGISTER sip:example.com SIP/2.0",
            "Via: SIP/2.0/UDP 127.0.0.1:\(phone.port);branch=z9hG4bKmem\(cseq);rport",
            "From: <sip:alice@example.com>;tag=m1", "To: <sip:alice@example.com>", "Call-ID: mem-1", "CSeq: \(cseq) REGISTER",
            "Contact: <sip:alice@127.0.0.1:\(phone.port)>", "Expires: 600", "Max-Forwards: 70",
        ])
    }
}
