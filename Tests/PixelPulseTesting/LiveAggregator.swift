import Foundation
public import Logging
public import PixelAggregator
public import PixelAlerts
public import PixelCore
import ServiceLifecycle
public import ZeroMQ

/// A real aggregator (``AggregatorService``: ingest, feed and snapshot sockets, with its
/// ZAP handler when the configuration has ``TransportSecurity``) running in a ServiceGroup
/// until ``stop()``; restartable on the same endpoints by starting another with
/// ``endpoints``.
public final class LiveAggregator: Sendable {
    /// Where to bind: a free loopback port each by default.
    public struct Endpoints: Sendable {
        public var ingest = "tcp://127.0.0.1:*", feed = "tcp://127.0.0.1:*", snapshot = "tcp://127.0.0.1:*"

        public init() {}

        public init(ingest: String, feed: String, snapshot: String) {
            self.ingest = ingest
            self.feed = feed
            self.snapshot = snapshot
        }

        /// ipc endpoints in a new temporary folder, for restarts on the same endpoints: a
        /// tcp port freed by one run may be taken as a source port by any outgoing
        /// connection on the machine before the next run binds it again.
        public static func ipc() throws -> Endpoints {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pp-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return Endpoints(ingest: "ipc://\(folder.path)/ingest", feed: "ipc://\(folder.path)/feed",
                             snapshot: "ipc://\(folder.path)/snapshot")
        }
    }

    public let service: AggregatorService
    public let context: Context
    /// The endpoints bound, with the real ports.
    public let endpoints: Endpoints
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    public var aggregator: Aggregator { service.aggregator }

    private init(service: AggregatorService, context: Context, endpoints: Endpoints, group: ServiceGroup, running: Task<Void, any Error>) {
        self.service = service
        self.context = context
        self.endpoints = endpoints
        self.group = group
        self.running = running
    }

    /// The configuration tests use: `endpoints`, ticks every 20 ms.
    public static func configuration(
        _ endpoints: Endpoints = Endpoints(), feedHighWaterMark: Int = 100_000, windows: WindowConfiguration = .standard,
        alertRules: [AlertRule]? = nil
    ) -> AggregatorConfiguration {
        AggregatorConfiguration(
            ingestEndpoint: endpoints.ingest, feedEndpoint: endpoints.feed, snapshotEndpoint: endpoints.snapshot,
            windows: windows, tickInterval: .milliseconds(20), feedHighWaterMark: feedHighWaterMark, alertRules: alertRules)
    }

    /// Starts an aggregator and waits until its sockets are bound.
    public static func start(
        _ configuration: AggregatorConfiguration = LiveAggregator.configuration(),
        clock: @escaping @Sendable () -> Int64 = Aggregator.wallClock, context: Context, logLevel: Logger.Level = .error
    ) async throws -> LiveAggregator {
        var logger = Logger(label: "test.aggregator")
        logger.logLevel = logLevel
        let service = AggregatorService(configuration: .init(aggregator: configuration), context: context, clock: clock, logger: logger)
        let group = ServiceGroup(services: [service], logger: logger)
        let running = Task { try await group.run() }
        let bound: AggregatorService.Endpoints
        do {
            bound = try await service.endpoints
        } catch {
            try? await running.value
            throw error
        }
        return LiveAggregator(
            service: service, context: context, endpoints: Endpoints(ingest: bound.ingest, feed: bound.feed, snapshot: bound.snapshot),
            group: group, running: running)
    }

    /// Runs `body` with a fresh aggregator in a new context, then shuts it down gracefully.
    public static func with<T: Sendable>(
        _ configuration: AggregatorConfiguration = LiveAggregator.configuration(),
        clock: @escaping @Sendable () -> Int64 = Aggregator.wallClock, _ body: (LiveAggregator) async throws -> T
    ) async throws -> T {
        let live = try await start(configuration, clock: clock, context: try Context(), logLevel: .warning)
        do {
            let result = try await body(live)
            try await live.stop()
            return result
        } catch {
            try? await live.stop()
            throw error
        }
    }

    /// Shuts down gracefully and waits for the end.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }
}
