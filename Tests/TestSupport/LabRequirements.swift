import Foundation

/// Checks that this machine can host a `NetworkLab`, once per process.
///
/// Tests that need namespaces must *fail* when the check fails, with a message saying what is missing: CI runs as
/// root with the tools installed, so a silent skip there would hide a broken setup. Only an explicit
/// `TANDEM_SKIP_NETNS=1` turns them off (for dev machines without root), via
/// `@Suite(.enabled(if: LabRequirements.isEnabled))`.
public enum LabRequirements {
    public static let skipEnvironmentVariable = "TANDEM_SKIP_NETNS"

    /// True when the developer asked to skip namespace tests with `TANDEM_SKIP_NETNS=1`.
    public static var skipRequested: Bool {
        ProcessInfo.processInfo.environment[skipEnvironmentVariable] == "1"
    }

    /// For `.enabled(if:)` traits: false only when skipping was requested explicitly.
    public static var isEnabled: Bool { !skipRequested }

    /// Throws `NetworkLabError.requirementsNotMet` / `.missingTool` naming what is missing. The probe (root, `ip`,
    /// `nft`, creating a namespace and an nftables table in it) runs once; later calls return the cached answer.
    public static func check() throws {
        try outcome.get()
    }

    private static let outcome: Result<Void, NetworkLabError> = evaluate()

    private static func evaluate() -> Result<Void, NetworkLabError> {
        let hint = "CI runs the tests as root; on a dev machine without root set \(skipEnvironmentVariable)=1 to skip namespace tests deliberately"
        guard geteuid() == 0 else {
            return .failure(.requirementsNotMet("must run as root (geteuid() is \(geteuid())) to create network namespaces; \(hint)"))
        }
        do {
            let ip = try LabTools.requireIP()
            let nft = try LabTools.requireNFT()
            let probe = "tdm\(getpid())-0-probe"
            LabRegistry.shared.register(namespace: probe)
            defer {
                LabOwnership.removeNamespace(probe)
                LabRegistry.shared.unregister(namespace: probe)
            }
            let added = try LabCommand.run([ip, "netns", "add", probe])
            guard added.exit.succeeded else {
                return .failure(.requirementsNotMet("`ip netns add` failed (\(added.stderr.trimmingCharacters(in: .whitespacesAndNewlines))); \(hint)"))
            }
            let table = try LabCommand.run([ip, "netns", "exec", probe, nft, "add", "table", "inet", "tdm_probe"])
            guard table.exit.succeeded else {
                return .failure(.requirementsNotMet("nftables does not work in a namespace (\(table.stderr.trimmingCharacters(in: .whitespacesAndNewlines))); the kernel needs nf_tables"))
            }
            return .success(())
        } catch let error as NetworkLabError {
            return .failure(error)
        } catch {
            return .failure(.requirementsNotMet("\(error)"))
        }
    }
}
