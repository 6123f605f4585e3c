import Foundation
import Testing
@testable import Signaling

/// Look-up order, 404 vs 480, and the SQLite round trip through the batched writer.
@Suite struct LocationStoreTests {
    typealias F = RegistrarFixture
    let aor = AddressOfRecord(user: "alice", host: "example.com")

    @Test func lookupOrderAndExpiredSkipped() {
        var store = LocationStore()
        store.save(F.binding("alice", "sip:a@1.1.1.1", q: 500, updatedAt: F.t0))
        store.save(F.binding("alice", "sip:b@1.1.1.1", q: 900, updatedAt: F.t0))
        store.save(F.binding("alice", "sip:c@1.1.1.1", q: 900, updatedAt: F.t0.adding(seconds: 5)))
        store.save(F.binding("alice", "sip:d@1.1.1.1", q: 1000, expiresAt: F.t0.adding(seconds: 10)))
        let now = F.t0.adding(seconds: 20)
        #expect(store.lookup(aor, now: now) == .found(store.activeBindings(of: aor, now: now)))
        #expect(store.activeBindings(of: aor, now: now).map(\.key.contactURI) == ["sip:c@1.1.1.1", "sip:b@1.1.1.1", "sip:a@1.1.1.1"])
    }

    @Test func unknownVersusAllExpired() {
        var store = LocationStore()
        #expect(store.lookup(aor, now: F.t0) == .notFound)
        store.save(F.binding("alice", "sip:a@1.1.1.1", expiresAt: F.t0.adding(seconds: 10)))
        #expect(store.lookup(aor, now: F.t0.adding(seconds: 11)) == .allExpired)
        _ = store.removeExpired(now: F.t0.adding(seconds: 11))
        #expect(store.bindingCount == 0)
        #expect(store.lookup(aor, now: F.t0.adding(seconds: 11)) == .allExpired)  // known user, offline
        store.forgetEmptyAORs()
        #expect(store.lookup(aor, now: F.t0) == .notFound)
    }

    @Test func refreshMovesExpiryAndStaleHeapEntriesAreSkipped() {
        var store = LocationStore()
        store.save(F.binding("alice", "sip:a@1.1.1.1", expiresAt: F.t0.adding(seconds: 10)))
        store.save(F.binding("alice", "sip:a@1.1.1.1", expiresAt: F.t0.adding(seconds: 100)))
        #expect(store.removeExpired(now: F.t0.adding(seconds: 50)).isEmpty)
        #expect(store.removeExpired(now: F.t0.adding(seconds: 100)).count == 1)
    }

    static func tempDirectory() -> String {
        NSTemporaryDirectory() + "tandem-location-\(UInt64.random(in: 0...UInt64.max))"
    }

    @Test func persistenceRoundTripWithBatching() throws {
        let dir = Self.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try LocationDatabase.open(directory: dir)
        let writer = LocationPersistence(database: db, flushIntervalMilliseconds: 10_000, batchSize: 50)
        writer.start()
        var registrar = Registrar()
        var changes: [LocationChange] = []
        for i in 0..<120 {
            let out = registrar.handleRegister(
                F.register(user: "u\(i)", contacts: ["<sip:u\(i)@192.168.1.\(i % 250):5060;ob>;expires=\(i < 20 ? 60 : 3600);q=0.7"],
                           extra: ["Path: <sip:p1.example.net;lr>", "User-Agent: Phone/1.0"]),
                from: F.phone, socket: F.socket, now: F.t0)
            changes += out.changes
            writer.enqueue(out.changes)
        }
        // Batches of 50 go out without waiting for the 10 s interval.
        let deadline = Date(timeIntervalSinceNow: 10)
        while writer.statistics.records < 100 && Date() < deadline { usleep(2000) }
        #expect(writer.statistics.records >= 100)
        #expect(writer.statistics.batches >= 2)
        // An unregistration coalesces with nothing and deletes the row.
        let unreg = registrar.handleRegister(F.register(user: "u119", cseq: 2, contacts: ["<sip:u119@192.168.1.119:5060;ob>;expires=0"]),
                                             from: F.phone, socket: F.socket, now: F.t0)
        writer.enqueue(unreg.changes)
        writer.stop()
        #expect(try db.count() == 119)

        // A new process: reload after the 60 s bindings expired.
        let reopened = try LocationDatabase(path: dir + "/location.sqlite")
        let later = F.t0.adding(seconds: 61)
        let live = try reopened.loadLive(now: later)
        #expect(live.count == 99)
        #expect(try reopened.count() == 99)  // expired rows deleted on load
        var restored = Registrar()
        #expect(restored.load(live, now: later).isEmpty)
        let original = try #require(registrar.store.binding(RegistrarBindingKey(
            aor: AddressOfRecord(user: "u42", host: "example.com"), contactURI: "sip:u42@192.168.1.42:5060;ob")))
        let copy = try #require(restored.store.binding(original.key))
        #expect(copy == original)
        #expect(copy.path == ["<sip:p1.example.net;lr>"] && copy.userAgent == "Phone/1.0" && copy.q == 700)
        #expect(restored.lookup(AddressOfRecord(user: "u3", host: "example.com"), now: later) == .notFound)
    }

    @Test func loadDropsExpiredIntoRemovals() {
        var registrar = Registrar()
        let removed = registrar.load([F.binding("alice", "sip:a@1.1.1.1", expiresAt: F.t0), F.binding("alice", "sip:b@1.1.1.1")],
                                     now: F.t0)
        #expect(removed.count == 1 && registrar.store.bindingCount == 1)
    }
}
