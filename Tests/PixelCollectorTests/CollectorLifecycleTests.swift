import Logging
import PixelCollector
import PixelCore
import Prometheus
import Testing
import ZeroMQ

/// Start-up failures and repeated use, through the public API.
@Suite(.timeLimit(.minutes(1)))
struct CollectorLifecycleTests {
    private func collector(_ configure: (inout CollectorConfiguration) -> Void) throws -> Collector {
        var configuration = CollectorConfiguration(ingestEndpoint: "tcp://127.0.0.1:1", collectorID: "test-edge")
        configuration.port = 0
        configuration.eventLoopThreads = 1
        configure(&configuration)
        return Collector(
            configuration: configuration, zmqContext: try Context(), registry: PrometheusCollectorRegistry(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    @Test func rejectsSettingsOutOfRange() async throws {
        let collector = try collector { $0.batchSize = 0 }
        await #expect(throws: Collector.Error.invalidConfiguration("batchSize 0 is not 1...65536")) {
            try await collector.run()
        }
        await #expect(throws: Collector.Error.self) { _ = try await collector.listeningPort }
    }

    @Test func failsToStartOnAMalformedEndpoint() async throws {
        let collector = try collector { $0.ingestEndpoint = "nonsense://nowhere" }
        await #expect(throws: ZMQError.self) { try await collector.run() }
        await #expect(throws: ZMQError.self) { _ = try await collector.listeningPort }
    }

    @Test func runsOnceAndStopsEvenBeforeItListens() async throws {
        let collector = try collector { _ in }
        await collector.shutdownGracefully()  // asked before run(): run() binds, then stops at once
        try await collector.run()
        #expect(try await collector.listeningPort > 0)
        await #expect(throws: Collector.Error.alreadyRunning) { try await collector.run() }
    }
}
