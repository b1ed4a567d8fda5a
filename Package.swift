// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "pixelpulse",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pixelpulse", targets: ["pixelpulse"]),
        .library(name: "ZeroMQ", targets: ["ZeroMQ"]),
        .library(name: "PixelSupport", targets: ["PixelSupport"]),
        .library(name: "PixelCore", targets: ["PixelCore"]),
        .library(name: "PixelAlerts", targets: ["PixelAlerts"]),
        .library(name: "PixelAggregator", targets: ["PixelAggregator"]),
        .library(name: "PixelCollector", targets: ["PixelCollector"]),
        .library(name: "PixelPulseClient", targets: ["PixelPulseClient"]),
        .library(name: "PixelDashboard", targets: ["PixelDashboard"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"]), .brew(["zeromq"])]
        ),
        .systemLibrary(
            name: "CMaxMindDB",
            pkgConfig: "libmaxminddb",
            providers: [.apt(["libmaxminddb-dev"]), .brew(["libmaxminddb"])]
        ),
        .target(name: "PixelSupport"),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ", "PixelSupport"]),
        .target(name: "PixelCore"),
        .target(
            name: "PixelAlerts",
            dependencies: [
                "PixelCore", "PixelSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "PixelAggregator",
            dependencies: [
                "PixelCore", "PixelAlerts", "PixelSupport", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ]
        ),
        .target(
            name: "PixelCollector",
            dependencies: [
                "CMaxMindDB", "PixelCore", "PixelSupport", "ZeroMQ",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(name: "PixelPulseClient", dependencies: ["PixelCore", "PixelSupport", "ZeroMQ"]),
        .target(
            name: "PixelDashboard",
            dependencies: [
                "PixelPulseClient", "PixelCore", "PixelSupport", "ZeroMQ",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // The page, compiled into the binary: nothing to install beside it.
            resources: [.embedInCode("Page/index.html"), .embedInCode("Page/dashboard.css"), .embedInCode("Page/dashboard.js")]
        ),
        .target(
            name: "PixelPulseTesting",
            dependencies: [
                "PixelAggregator", "PixelAlerts", "PixelCore", "PixelSupport", "ZeroMQ",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/PixelPulseTesting",
            exclude: ["make_country_mmdb.pl"]
        ),
        .executableTarget(
            name: "pixelpulse",
            dependencies: [
                "PixelCore", "PixelSupport", "ZeroMQ", "PixelAlerts", "PixelAggregator", "PixelCollector", "PixelPulseClient", "PixelDashboard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ]
        ),
        .testTarget(name: "ZeroMQTests", dependencies: ["PixelSupport", "ZeroMQ"]),
        .testTarget(name: "PixelSupportTests", dependencies: ["PixelSupport"]),
        .testTarget(name: "PixelCoreTests", dependencies: ["PixelCore", "PixelPulseTesting"]),
        .testTarget(name: "PixelAlertsTests", dependencies: ["PixelAlerts", "PixelCore"]),
        .testTarget(
            name: "PixelAggregatorTests",
            dependencies: ["PixelAggregator", "PixelAlerts", "PixelCore", "PixelPulseTesting", "PixelSupport", "ZeroMQ"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "PixelCollectorTests",
            dependencies: [
                "PixelCollector", "PixelCore", "PixelPulseTesting", "PixelSupport", "ZeroMQ",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "PixelPulseClientTests",
            dependencies: [
                "PixelPulseClient", "PixelAggregator", "PixelAlerts", "PixelCore", "PixelPulseTesting", "PixelSupport", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "PixelDashboardTests",
            dependencies: [
                "PixelDashboard", "PixelAggregator", "PixelCore", "PixelPulseClient", "PixelPulseTesting", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["sse_check.py"]
        ),
        .testTarget(
            name: "pixelpulseTests",
            dependencies: [
                "pixelpulse", "PixelAggregator", "PixelCollector", "PixelCore", "PixelDashboard", "ZeroMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "PixelAggregator", "PixelAlerts", "PixelCollector", "PixelCore", "PixelPulseTesting", "PixelSupport", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: [
                "alert_check.py", "browser_check.py", "cut_proxy.py", "dashboard_check.py", "feed_check.py", "segments_check.py",
                "webhook_receiver.py",
            ]
        ),
    ]
)

// Strict settings, once for every Swift target.
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
