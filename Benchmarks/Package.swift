// swift-tools-version:6.1
import PackageDescription

// Benchmarks live in their own package so that `swift build` and `swift test` at the root
// never resolve package-benchmark. Run: `swift package benchmark` in this folder.
let package = Package(
    name: "benchmarks",
    platforms: [.macOS(.v15)],
    products: [
        // Swift twin of Reference/zmq_thr.c; scripts/zmq_vs_c.sh runs the two alternately.
        .executable(name: "zmq-throughput", targets: ["ZMQThroughput"]),
        // Load generator for the aggregator's ingest ROUTER; scripts/aggregator_throughput.sh runs it.
        .executable(name: "ingest-load", targets: ["IngestLoad"]),
    ],
    dependencies: [
        .package(name: "pixelpulse", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(name: "CHeapStats", path: "Benchmarks/CHeapStats"),
        .executableTarget(
            name: "PixelCoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PixelCore", package: "pixelpulse"),
                "CHeapStats",
            ],
            path: "Benchmarks/PixelCoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // New keys per second at 10k, 100k and 1M keys, in one campaign and over 1000 (issue 12).
        .executableTarget(
            name: "AggregatorBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PixelAggregator", package: "pixelpulse"),
                .product(name: "PixelCore", package: "pixelpulse"),
            ],
            path: "Benchmarks/AggregatorBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Not a package-benchmark target: its sources sit one level down because the benchmark
        // plugin runs every executable target whose folder is directly inside `Benchmarks/`.
        .executableTarget(
            name: "ZMQThroughput",
            dependencies: [.product(name: "ZeroMQ", package: "pixelpulse")],
            path: "Benchmarks/ZMQThroughput/Sources"
        ),
        // Plain tools (not benchmarks) live under Tools/, outside the plugin's `Benchmarks/` folder.
        .executableTarget(
            name: "IngestLoad",
            dependencies: [
                .product(name: "PixelCore", package: "pixelpulse"),
                .product(name: "ZeroMQ", package: "pixelpulse"),
            ],
            path: "Tools/IngestLoad/Sources"
        ),
    ]
)
