import Foundation

/// Absolute paths of the external tools the lab drives.
///
/// Resolved once, from `PATH` plus the sbin directories, because test runners often start with a `PATH` that lacks
/// `/usr/sbin` (where Debian puts `ip` and `nft`), and `posix_spawn` needs an absolute path.
enum LabTools {
    static let ip: String? = locate("ip")
    static let nft: String? = locate("nft")
    static let modprobe: String? = locate("modprobe")

    static func locate(_ name: String) -> String? {
        let fromEnvironment = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let candidates = fromEnvironment + ["/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/local/bin"]
        for directory in candidates where !directory.isEmpty {
            let path = directory + "/" + name
            if access(path, X_OK) == 0 { return path }
        }
        return nil
    }

    /// The `ip` binary, or an error that says which Debian package provides it.
    static func requireIP() throws -> String {
        guard let path = ip else { throw NetworkLabError.missingTool("ip", package: "iproute2") }
        return path
    }

    /// The `nft` binary, or an error that says which Debian package provides it.
    static func requireNFT() throws -> String {
        guard let path = nft else { throw NetworkLabError.missingTool("nft", package: "nftables") }
        return path
    }
}
