// swift-tools-version:6.0
import PackageDescription

/// Tandem: an ng-controlled RTP relay (`Relay`), a SIP edge proxy (`Signaling`), and the tools that measure them (`Perf`).
/// Every library target builds in the Swift 6 language mode with strict concurrency.
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
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
    ],
    targets: [
        // C only where Swift cannot reach: liburing's macros, mmsghdr, libmnl/libnftnl.
        .target(
            name: "CShims",
            path: "Sources/CShims",
            linkerSettings: [.linkedLibrary("uring"), .linkedLibrary("nftnl"), .linkedLibrary("mnl")]
        ),
        .target(name: "Relay", dependencies: ["CShims"], path: "Sources/Relay",
                exclude: ["Sessions/README.md", "DataPlane/README.md", "SDP/README.md", "Control/README.md"]),
        .target(name: "Signaling", path: "Sources/Signaling"),
        .target(name: "Perf", dependencies: ["Relay", "Signaling", "CShims", .product(name: "Histogram", package: "hdrhistogram-swift")],
                path: "perf", exclude: ["README.md", "kamailio", "sip", "bench-relay.sh"]),
        .executableTarget(
            name: "tandem",
            dependencies: ["Relay", "Signaling", "Perf", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/tandem"
        ),
        // Test support: network namespaces, veth pairs, a masquerading "home router". Shared by integration tests.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "RelayTests", dependencies: ["Relay", "TestSupport"], path: "Tests/RelayTests"),
        .testTarget(name: "SignalingTests", dependencies: ["Signaling", "TestSupport"], path: "Tests/SignalingTests",
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "PerfTests", dependencies: ["Perf"], path: "Tests/PerfTests"),
        .testTarget(name: "HarnessTests", dependencies: ["TestSupport"], path: "Tests/HarnessTests"),
    ],
    swiftLanguageModes: [.v6]
)
