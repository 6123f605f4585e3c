import Foundation

/// The file-system locations the lab uses, in one place so that cleanup and the stale sweep agree on them.
enum LabPaths {
    /// Where `ip netns add` bind-mounts named namespaces.
    static let netnsDirectory = "/run/netns"
    /// Owner markers: one file per lab, `<prefix>.owner`, holding "pid starttime" of the creating process. The start
    /// time guards against a recycled pid making a dead lab look alive.
    static let markerDirectory = "/run/tandem-lab"
    /// Per-lab directories with the stdout/stderr files of spawned processes, plus scratch files of short commands.
    static let workRoot = "/tmp/tandem-lab"
    static let scratchDirectory = workRoot + "/scratch"

    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw NetworkLabError.systemCall("mkdir \(path)", errno: EIO)
        }
    }

    /// Reads a whole file as UTF-8 (lossy); an unreadable file reads as "".
    static func readText(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Names of the entries in a directory; a missing directory has none.
    static func entries(_ directory: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }
}
