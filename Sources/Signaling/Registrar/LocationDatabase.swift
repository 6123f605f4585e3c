import Foundation
import GRDB

/// The SQLite file that lets the location table survive restarts (GRDB over the system SQLite, WAL
/// journal). The in-memory `LocationStore` stays the source of truth for look-ups; this file is
/// written only by `LocationPersistence`, in batched transactions, and read once at start-up.
public final class LocationDatabase: Sendable {
    public let path: String
    private let queue: DatabaseQueue

    /// Opens (creating if needed) the database at `path`.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // WAL + NORMAL: a crash loses at most the last batch, never corrupts; writes stay cheap.
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS location (
                    aor TEXT NOT NULL, contact_uri TEXT NOT NULL, contact TEXT NOT NULL,
                    call_id TEXT NOT NULL, cseq INTEGER NOT NULL, expires_at INTEGER NOT NULL, q INTEGER NOT NULL,
                    registered_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
                    source_host TEXT NOT NULL, source_port INTEGER NOT NULL, transport TEXT NOT NULL,
                    socket INTEGER NOT NULL, nat INTEGER NOT NULL, path TEXT NOT NULL,
                    user_agent TEXT, instance TEXT,
                    PRIMARY KEY (aor, contact_uri)
                ) WITHOUT ROWID
                """)
        }
    }

    /// Opens `location.sqlite` under `directory`, creating the directory (the embedded default).
    public static func open(directory: String) throws -> LocationDatabase {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try LocationDatabase(path: directory + "/location.sqlite")
    }

    /// Writes changes in one transaction (later changes of the same key win, in order).
    public func apply(_ changes: [LocationChange]) throws {
        guard !changes.isEmpty else { return }
        try queue.inTransaction { db in
            let upsert = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO location (aor, contact_uri, contact, call_id, cseq, expires_at, q,
                    registered_at, updated_at, source_host, source_port, transport, socket, nat, path, user_agent, instance)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let delete = try db.cachedStatement(sql: "DELETE FROM location WHERE aor = ? AND contact_uri = ?")
            for change in changes {
                switch change {
                case .saved(let b, _):
                    let arguments: StatementArguments = [
                        b.key.aor.description, b.key.contactURI, b.contact, b.callID, Int64(b.cseq),
                        b.expiresAt.milliseconds, b.q, b.registeredAt.milliseconds, b.updatedAt.milliseconds,
                        b.source.host, b.source.port, b.source.transport.rawValue, Int64(b.socket.rawValue),
                        Int64(b.nat.rawValue), b.path.joined(separator: "\n"), b.userAgent, b.instance,
                    ]
                    try upsert.execute(arguments: arguments)
                case .removed(let b, _):
                    try delete.execute(arguments: [b.key.aor.description, b.key.contactURI])
                }
            }
            return .commit
        }
    }

    /// Every stored row that still decodes (rows that do not are skipped: a bad row must not stop start-up).
    public func loadAll() throws -> [RegistrarBinding] {
        try queue.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM location")
            return rows.compactMap(Self.binding)
        }
    }

    /// Loads the bindings live at `now` and deletes the expired rows from the file.
    public func loadLive(now: RegistrarInstant) throws -> [RegistrarBinding] {
        try queue.write { db in
            try db.execute(sql: "DELETE FROM location WHERE expires_at <= ?", arguments: [now.milliseconds])
        }
        return try loadAll().filter { !$0.isExpired(at: now) }
    }

    public func count() throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM location") ?? 0 }
    }

    static func binding(_ row: Row) -> RegistrarBinding? {
        guard let aorText: String = row["aor"], let aor = AddressOfRecord(aorText),
              let contactURI: String = row["contact_uri"], let contact: String = row["contact"],
              let callID: String = row["call_id"], let cseq: Int64 = row["cseq"],
              let expiresAt: Int64 = row["expires_at"], let q: Int = row["q"],
              let registeredAt: Int64 = row["registered_at"], let updatedAt: Int64 = row["updated_at"],
              let host: String = row["source_host"], let port: Int = row["source_port"],
              let transportText: String = row["transport"], let transport = RegistrarTransport(token: transportText),
              let socket: Int64 = row["socket"], let nat: Int64 = row["nat"], let path: String = row["path"],
              let cseq32 = UInt32(exactly: cseq), let socket32 = UInt32(exactly: socket), let nat8 = UInt8(exactly: nat)
        else { return nil }
        return RegistrarBinding(
            key: RegistrarBindingKey(aor: aor, contactURI: contactURI), contact: contact, callID: callID, cseq: cseq32,
            expiresAt: RegistrarInstant(milliseconds: expiresAt), q: q,
            registeredAt: RegistrarInstant(milliseconds: registeredAt), updatedAt: RegistrarInstant(milliseconds: updatedAt),
            source: RegistrarPeer(host: host, port: port, transport: transport), socket: LocalSocketRef(Int(socket32)),
            nat: NATStatus(rawValue: nat8), path: path.isEmpty ? [] : path.split(separator: "\n").map(String.init),
            userAgent: row["user_agent"], instance: row["instance"])
    }
}
