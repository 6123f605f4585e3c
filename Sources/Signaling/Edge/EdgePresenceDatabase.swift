import Foundation
import GRDB

/// `presence.sqlite`: subscriptions, publications and stored MESSAGEs, so that lamps, published
/// states and offline messages survive a restart. Same shape as `LocationDatabase`: the in-memory
/// cores are the source of truth, this file is written only by `EdgePresencePersistence` in batched
/// transactions and read once at start-up. Expiries are wall-clock milliseconds.
final class EdgePresenceDatabase: Sendable {
    let path: String
    private let queue: DatabaseQueue

    /// What start-up restores (already converted to the monotonic clock of this run).
    struct Snapshot: Sendable {
        var subscriptions: [Subscription] = []
        var publications: [PresencePublication] = []
        var messages: [OfflineMessage] = []
    }

    init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS subscription (
                    id INTEGER PRIMARY KEY, package TEXT NOT NULL, event_id TEXT, watcher TEXT NOT NULL,
                    presentity TEXT NOT NULL, call_id TEXT NOT NULL, watcher_tag TEXT NOT NULL, local_tag TEXT NOT NULL,
                    watcher_uri TEXT NOT NULL, presentity_uri TEXT NOT NULL, remote_target TEXT NOT NULL,
                    route_set TEXT NOT NULL, peer_host TEXT NOT NULL, peer_port INTEGER NOT NULL,
                    peer_transport TEXT NOT NULL, socket INTEGER, authorization TEXT NOT NULL,
                    expires_at INTEGER NOT NULL, local_cseq INTEGER NOT NULL, dialog_version INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS publication (
                    etag TEXT PRIMARY KEY, presentity TEXT NOT NULL, document BLOB NOT NULL,
                    expires_at INTEGER NOT NULL, ord INTEGER NOT NULL);
                CREATE INDEX IF NOT EXISTS publication_presentity ON publication (presentity);
                CREATE TABLE IF NOT EXISTS message (
                    id INTEGER PRIMARY KEY, recipient TEXT NOT NULL, sender TEXT NOT NULL, content_type TEXT NOT NULL,
                    body BLOB NOT NULL, stored_at_unix INTEGER NOT NULL, attempts INTEGER NOT NULL);
                """)
        }
    }

    /// Opens `presence.sqlite` under `directory` (created if needed).
    static func open(directory: String) throws -> EdgePresenceDatabase {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try EdgePresenceDatabase(path: directory + "/presence.sqlite")
    }

    /// Writes records in one transaction, in order.
    func apply(_ records: [EdgePresenceRecord]) throws {
        guard !records.isEmpty else { return }
        try queue.inTransaction { db in
            for record in records {
                switch record {
                case .subscription(let s, let expiresAt):
                    let arguments: StatementArguments = [
                        Int64(bitPattern: s.id.rawValue), s.package.rawValue, s.eventID, s.watcher.description,
                        s.presentity.description, s.callID, s.watcherTag, s.localTag, s.watcherURI, s.presentityURI,
                        s.remoteTarget, s.routeSet.joined(separator: "\n"), s.peer.host, s.peer.port,
                        s.peer.transport.uriParameter, s.socket.map { Int64($0.rawValue) }, Self.text(s.authorization),
                        expiresAt, Int64(s.localCSeq), s.dialogVersion,
                    ]
                    try db.cachedStatement(sql: """
                        INSERT OR REPLACE INTO subscription VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """).execute(arguments: arguments)
                case .subscriptionRemoved(let id):
                    try db.cachedStatement(sql: "DELETE FROM subscription WHERE id = ?")
                        .execute(arguments: [Int64(bitPattern: id.rawValue)])
                case .publications(let aor, let list):
                    try db.cachedStatement(sql: "DELETE FROM publication WHERE presentity = ?").execute(arguments: [aor.description])
                    for (p, expiresAt) in list {
                        try db.cachedStatement(sql: "INSERT OR REPLACE INTO publication VALUES (?, ?, ?, ?, ?)")
                            .execute(arguments: [p.entityTag, aor.description, Data(p.document.xml()), expiresAt,
                                                 Int64(bitPattern: p.order)])
                    }
                case .message(let m):
                    try db.cachedStatement(sql: "INSERT OR REPLACE INTO message VALUES (?, ?, ?, ?, ?, ?, ?)")
                        .execute(arguments: [Int64(bitPattern: m.id), m.recipient.description, m.sender, m.contentType,
                                             Data(m.body), m.storedAtUnixSeconds, m.attempts])
                case .messageRemoved(let id):
                    try db.cachedStatement(sql: "DELETE FROM message WHERE id = ?").execute(arguments: [Int64(bitPattern: id)])
                }
            }
            return .commit
        }
    }

    /// Everything still live at `clock`'s wall time (lapsed rows are deleted; rows that no longer
    /// decode are skipped: a bad row must not stop start-up).
    func load(clock: EdgePresenceClock) throws -> Snapshot {
        let now = clock.wallMilliseconds
        try queue.write { db in
            try db.execute(sql: "DELETE FROM subscription WHERE expires_at <= ?", arguments: [now])
            try db.execute(sql: "DELETE FROM publication WHERE expires_at <= ?", arguments: [now])
        }
        return try queue.read { db in
            var snapshot = Snapshot()
            for row in try Row.fetchAll(db, sql: "SELECT * FROM subscription ORDER BY id") {
                if let s = Self.subscription(row, clock: clock) { snapshot.subscriptions.append(s) }
            }
            for row in try Row.fetchAll(db, sql: "SELECT * FROM publication ORDER BY ord") {
                guard let aorText: String = row["presentity"], let aor = AddressOfRecord(aorText), let tag: String = row["etag"],
                      let data: Data = row["document"], let document = try? PIDFDocument.parse(Array(data)),
                      let expiresAt: Int64 = row["expires_at"], let order: Int64 = row["ord"]
                else { continue }
                snapshot.publications.append(PresencePublication(
                    presentity: aor, entityTag: tag, document: document, expiresAt: clock.monotonic(wall: expiresAt),
                    order: UInt64(bitPattern: order)))
            }
            for row in try Row.fetchAll(db, sql: "SELECT * FROM message ORDER BY id") {
                guard let id: Int64 = row["id"], let recipientText: String = row["recipient"],
                      let recipient = AddressOfRecord(recipientText), let sender: String = row["sender"],
                      let contentType: String = row["content_type"], let body: Data = row["body"],
                      let storedAt: Int64 = row["stored_at_unix"], let attempts: Int = row["attempts"]
                else { continue }
                snapshot.messages.append(OfflineMessage(
                    id: UInt64(bitPattern: id), recipient: recipient, sender: sender, contentType: contentType,
                    body: Array(body), storedAtUnixSeconds: storedAt,
                    storedAt: clock.monotonic(wall: storedAt &* 1000), attempts: attempts))
            }
            return snapshot
        }
    }

    /// Row counts (tests, admin).
    func counts() throws -> (subscriptions: Int, publications: Int, messages: Int) {
        try queue.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM subscription") ?? 0,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM publication") ?? 0,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM message") ?? 0)
        }
    }

    static func text(_ authorization: SubscriptionAuthorization) -> String {
        switch authorization {
        case .allow: return "allow"
        case .pending: return "pending"
        case .reject: return "reject"
        }
    }

    static func subscription(_ row: Row, clock: EdgePresenceClock) -> Subscription? {
        guard let id: Int64 = row["id"], let packageText: String = row["package"],
              let package = SIPEventPackage(rawValue: packageText),
              let watcherText: String = row["watcher"], let watcher = AddressOfRecord(watcherText),
              let presentityText: String = row["presentity"], let presentity = AddressOfRecord(presentityText),
              let callID: String = row["call_id"], let watcherTag: String = row["watcher_tag"],
              let localTag: String = row["local_tag"], let watcherURI: String = row["watcher_uri"],
              let presentityURI: String = row["presentity_uri"], let remoteTarget: String = row["remote_target"],
              let routeSet: String = row["route_set"], let host: String = row["peer_host"], let port: Int = row["peer_port"],
              let transportText: String = row["peer_transport"], let transport = SIPPeerTransport(token: transportText),
              let authorizationText: String = row["authorization"], let expiresAt: Int64 = row["expires_at"],
              let cseq: Int64 = row["local_cseq"], let cseq32 = UInt32(exactly: cseq), let version: Int = row["dialog_version"]
        else { return nil }
        let authorization: SubscriptionAuthorization
        switch authorizationText {
        case "allow": authorization = .allow
        case "pending": authorization = .pending
        default: return nil
        }
        let socket: Int64? = row["socket"]
        return Subscription(
            id: SubscriptionID(UInt64(bitPattern: id)), package: package, eventID: row["event_id"], watcher: watcher,
            presentity: presentity, callID: callID, watcherTag: watcherTag, localTag: localTag, watcherURI: watcherURI,
            presentityURI: presentityURI, remoteTarget: remoteTarget,
            routeSet: routeSet.isEmpty ? [] : routeSet.split(separator: "\n").map(String.init),
            peer: SIPPeer(host: host, port: port, transport: transport),
            socket: socket.flatMap { Int(exactly: $0) }.map { LocalSocketRef($0) }, authorization: authorization,
            expiresAt: clock.monotonic(wall: expiresAt), localCSeq: cseq32, dialogVersion: version)
    }
}
