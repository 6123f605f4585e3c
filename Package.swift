// swift-tools-version:6.0
import Foundation
import PackageDescription

/// Tandem: an ng-controlled RTP relay (`Relay`), a SIP edge proxy (`Signaling`), and the tools that measure them (`Perf`).
/// Every library target builds in the Swift 6 language mode with strict concurrency.

/// Every module folder carries a README.md describing its parts; they are documentation, not sources, so each
/// target excludes the ones under its path (found here rather than listed, so adding a folder needs no edit; SwiftPM
/// caches the evaluated manifest by its text, even across clones on one machine, so after adding a README run once
/// with `--manifest-cache none`).
func readmes(under path: String) -> [String] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(path)
    guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
    return walker.compactMap { $0 as? String }.filter { $0.hasSuffix("README.md") }.sorted()
}

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
]

let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let yams: Target.Dependency = .product(name: "Yams", package: "Yams")

let package = Package(
    name: "Tandem",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tandem", targets: ["tandem"]),
        .library(name: "Relay", targets: ["Relay"]),
        .library(name: "Signaling", targets: ["Signaling"]),
        .library(name: "Perf", targets: ["Perf"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        // HMAC-SHA1 for STUN MESSAGE-INTEGRITY (Relay/STUN, ICE-lite answers for `ICE: force`).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C only where Swift cannot reach: liburing's macros, mmsghdr, libmnl/libnftnl.
        .target(
            name: "CShims",
            path: "Sources/CShims",
            linkerSettings: [.linkedLibrary("uring"), .linkedLibrary("nftnl"), .linkedLibrary("mnl")]
        ),
        .target(name: "Relay", dependencies: ["CShims", yams, logging, .product(name: "Crypto", package: "swift-crypto")], path: "Sources/Relay",
                exclude: readmes(under: "Sources/Relay")),
        .target(name: "Signaling", dependencies: nio + ["CShims", "Relay", yams, logging, .product(name: "GRDB", package: "GRDB.swift")], path: "Sources/Signaling",
                exclude: readmes(under: "Sources/Signaling")),
        .target(name: "Perf",
                dependencies: ["Relay", "Signaling", "CShims", .product(name: "Histogram", package: "hdrhistogram-swift")],
                path: "perf", exclude: readmes(under: "perf") + ["kamailio", "sip", "bench-relay.sh", "bench-signaling.sh",
                                                               "bench-presence.sh", "bench-kernel.sh"]),
        .executableTarget(
            name: "tandem",
            dependencies: ["Relay", "Signaling", "Perf", logging,
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/tandem"
        ),
        // Test support: network namespaces, veth pairs, a masquerading "home router". Shared by integration tests.
        .target(name: "TestSupport", path: "Tests/TestSupport", exclude: readmes(under: "Tests/TestSupport")),
        .testTarget(name: "RelayTests", dependencies: ["Relay", "TestSupport"], path: "Tests/RelayTests"),
        .testTarget(name: "SignalingTests",
                    dependencies: ["Signaling", "TestSupport", .product(name: "NIOCore", package: "swift-nio"),
                                   .product(name: "NIOEmbedded", package: "swift-nio")],
                    path: "Tests/SignalingTests",
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "PerfTests", dependencies: ["Perf", "TestSupport"], path: "Tests/PerfTests"),
        .testTarget(name: "HarnessTests", dependencies: ["TestSupport"], path: "Tests/HarnessTests"),
    ],
    swiftLanguageModes: [.v6]
)
