#if canImport(Glibc)
import Glibc
#endif

/// The on-disk list of calls the kernel forwards, so that a relay restarted after a crash can re-adopt them: the
/// nftables table survives `kill -9`, the session table does not.
///
/// An append-only text file (`kernel-journal` under `--data-dir`): `+ <CallRecord>` right after a call's streams
/// went to the kernel, fdatasync'd once per batch (a crash in between leaves elements no record claims; the next
/// start removes them, and those calls are lost as they would be without offload), `- <hex Call-ID>` when the
/// call ends (not synced: a stale `+` after a crash names a call whose elements are gone, and such calls are
/// dropped at restore). Replaying keeps the last `+` per call.
/// The file is compacted (rewritten with the live records, then renamed over) at start, and truncated at a clean
/// stop, so it stays as small as the set of offloaded calls.
final class KernelOffloadJournal {
    let path: String
    private var descriptor: Int32

    /// Opens (creating the directory and file) `directory/kernel-journal`.
    init(directory: String) throws(KernelJournalError) {
        KernelOffloadJournal.makeDirectories(directory)
        path = directory.hasSuffix("/") ? directory + "kernel-journal" : directory + "/kernel-journal"
        descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw KernelJournalError(path: path, errno: errno) }
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// The live records, in file order of their last `+`. Torn or foreign lines are skipped.
    func load() -> [CallRecord] {
        guard let text = KernelOffloadJournal.read(path) else { return [] }
        var live: [String: (order: Int, record: CallRecord)] = [:]
        var order = 0
        for line in text.split(separator: "\n") {
            if line.hasPrefix("+ "), let record = CallRecord(decoding: line.dropFirst(2)) {
                live[record.callIdentifier] = (order, record)
                order += 1
            } else if line.hasPrefix("- "), let callID = CallRecord.unhex(line.dropFirst(2)) {
                live[callID] = nil
            }
        }
        return live.values.sorted { $0.order < $1.order }.map(\.record)
    }

    /// Appends calls' records and waits for them to reach the disk (one sync for the batch).
    func record(_ records: [CallRecord]) {
        guard !records.isEmpty else { return }
        append(records.map { "+ " + $0.encoded() + "\n" }.joined())
        _ = fdatasync(descriptor)
    }

    /// Appends the end of a call.
    func forget(callID: String) {
        append("- " + CallRecord.hex(callID) + "\n")
    }

    /// Rewrites the file with just `records` (temp file + rename, so a crash mid-way keeps the old file).
    func compact(_ records: [CallRecord]) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        let text = records.map { "+ " + $0.encoded() + "\n" }.joined()
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        _ = fdatasync(fd)
        close(fd)
        guard written == bytes.count, rename(temporary, path) == 0 else { return }
        close(descriptor)
        descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
    }

    /// Empties the file (clean stop: the table is gone, nothing to re-adopt).
    func clear() { _ = ftruncate(descriptor, 0) }

    private func append(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    private static func makeDirectories(_ path: String) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            _ = mkdir(prefix, 0o755)
            prefix += "/"
        }
    }

    private static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The journal file could not be opened.
public struct KernelJournalError: Error, CustomStringConvertible {
    public let path: String
    public let errno: Int32
    public var description: String { "cannot open kernel journal \(path): errno \(errno)" }
}
