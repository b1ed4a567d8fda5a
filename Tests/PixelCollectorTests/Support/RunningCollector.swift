import Logging
import PixelCollector
import PixelCore
import PixelPulseTesting
import Prometheus
import ZeroMQ

/// A real ``Collector`` on a system-chosen port, run the way a service group runs it.
struct RunningCollector {
    let collector: Collector
    let registry: PrometheusCollectorRegistry
    let port: Int
    private let task: Task<Void, any Error>

    /// Starts a collector forwarding to `endpoint`, and waits until it listens.
    static func start(
        ingest endpoint: String, context: Context, logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
        configure: (inout CollectorConfiguration) -> Void = { _ in }
    ) async throws -> RunningCollector {
        var configuration = CollectorConfiguration(ingestEndpoint: endpoint, collectorID: "test-edge")
        configuration.port = 0
        configuration.eventLoopThreads = 1
        configuration.firstBatchSequence = 1000
        configuration.batchDelay = .milliseconds(5)
        configure(&configuration)
        let registry = PrometheusCollectorRegistry()
        let collector = Collector(configuration: configuration, zmqContext: context, registry: registry, logger: logger)
        let task = Task { try await collector.run() }
        let port = try await collector.listeningPort
        return RunningCollector(collector: collector, registry: registry, port: port, task: task)
    }

    /// Shuts down gracefully and waits until `run()` returns.
    func stop() async throws {
        await collector.shutdownGracefully()
        try await task.value
    }

    /// One sample of the collector's metrics, such as
    /// `sample("pixelpulse_collector_rejected_total", #"reason="invalid_pixel""#)`.
    func sample(_ name: String, _ labels: String = "") -> Int {
        Self.sample(in: registry.emitToString(), name, labels)
    }

    static func sample(in text: String, _ name: String, _ labels: String = "") -> Int {
        let prefix = labels.isEmpty ? "\(name) " : "\(name){\(labels)} "
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return 0 }
        return Int(Double(line.dropFirst(prefix.count))!)
    }
}
