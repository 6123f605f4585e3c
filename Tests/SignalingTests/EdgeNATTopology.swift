import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The namespaces of issue 6's NAT scenario, shared by `EdgeNATIntegrationTests` (a Swift phone) and
/// `EdgeNATSIPpPhoneTests` (a SIPp phone):
///
/// phone-ns 10.77.1.2 ── [router: masquerade, short UDP conntrack timeout] 10.78.1.2 ── 10.78.1.1 edge-ns ──
/// 10.78.2.1 bk0 ── 10.78.2.2 backend-ns (default route via the edge)
struct EdgeNATTopology {
    let lab: NetworkLab
    let phone: LabNamespace
    let edge: LabNamespace
    let backend: LabNamespace
    /// The built `tandem` binary.
    let binary: String

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Checks root, the binary and SIPp, then builds the namespaces; the caller shuts `lab` down.
    init(pinholeSeconds: Int, suite: String) throws {
        try #require(getuid() == 0, "\(suite) needs root (network namespaces, nftables); CI runs as root")
        binary = Self.root.appendingPathComponent(".build/debug/tandem").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the tandem binary first (\(binary))")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/sipp"), "sipp (Debian sip-tester) is missing")
        lab = try NetworkLab()
        let router = try lab.addHomeRouter(udpTimeout: pinholeSeconds)
        phone = try lab.addNamespace("phone")
        edge = try lab.addNamespace("edge")
        backend = try lab.addNamespace("backend")
        try router.connectLAN(phone, hostAddress: "10.77.1.2/24", routerAddress: "10.77.1.1/24")
        try router.connectWAN(edge, peerAddress: "10.78.1.1/24", routerAddress: "10.78.1.2/24")
        try lab.link(edge, interface: "bk0", addresses: ["10.78.2.1/24"], to: backend, interface: "eth0",
                     addresses: ["10.78.2.2/24"])
        try lab.setDefaultRoute(backend, via: "10.78.2.1")
    }

    /// A SIPp scenario of `Tests/SignalingTests/Fixtures/sipp`.
    static func scenario(_ name: String) -> String {
        root.appendingPathComponent("Tests/SignalingTests/Fixtures/sipp/\(name)").path
    }
}
