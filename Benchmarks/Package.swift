// swift-tools-version:6.1
import PackageDescription

// Benchmarks live in their own package so that `swift build` and `swift test` at the root
// never resolve package-benchmark. Run: `swift package benchmark` in this folder.
let package = Package(
    name: "benchmarks",
    platforms: [.macOS(.v15)],
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
    ]
)
