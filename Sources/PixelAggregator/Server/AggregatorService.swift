public import Logging
import PixelCore
public import ServiceLifecycle
public import ZeroMQ

/// The whole aggregator as one service: the counting ``Aggregator``, its three sockets
/// (ingest, feed, snapshot), the ZAP handler that enforces the allowlists when CURVE is on,
/// and, with a ``DataDirectory``, the write-ahead log and the checkpoints.
///
/// The command line and every test start an aggregator this one way:
///
/// ```swift
/// let service = try AggregatorService(configuration: .init(aggregator: configuration), context: context, logger: logger)
/// _ = try await service.restore()          // with a data directory: checkpoint, then the log
/// let group = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()                    // `service.endpoints` once bound
/// ```
///
/// Its parts run in a group of their own, in dependency order: they stop in reverse, so
/// the last checkpoint is written once ingest has stopped and holds every batch
/// acknowledged.
public final class AggregatorService: Service {
    /// What to run.
    public struct Configuration: Sendable {
        /// The endpoints, windows, feed and security settings.
        public var aggregator: AggregatorConfiguration
        /// More ingest endpoints, such as `inproc://` for a collector in the same process.
        public var extraIngestEndpoints: [String]
        /// Where the write-ahead log and the checkpoints live; `nil`: memory only.
        public var dataDirectory: DataDirectory?
        /// Time between checkpoints, with a data directory.
        public var checkpointInterval: Duration

        public init(
            aggregator: AggregatorConfiguration, extraIngestEndpoints: [String] = [], dataDirectory: DataDirectory? = nil,
            checkpointInterval: Duration = .seconds(60)
        ) {
            self.aggregator = aggregator
            self.extraIngestEndpoints = extraIngestEndpoints
            self.dataDirectory = dataDirectory
            self.checkpointInterval = checkpointInterval
        }
    }

    /// The endpoints actually bound (with the real ports for `:*`).
    public struct Endpoints: Sendable, Hashable {
        public var ingest: String
        public var feed: String
        public var snapshot: String
    }

    public let configuration: Configuration
    public let aggregator: Aggregator
    private let context: Context
    private let logger: Logger
    private let ingest: IngestServer
    private let feed: FeedServer
    private let snapshot: SnapshotServer
    private let checkpointer: Checkpointer?

    /// Creates the aggregator and its servers; ``run()`` binds and serves.
    ///
    /// - Parameters:
    ///   - clock: The time in ms since the Unix epoch; the wall clock unless a test drives it.
    public init(
        configuration: Configuration, context: Context, clock: @escaping @Sendable () -> Int64 = Aggregator.wallClock,
        logger: Logger
    ) {
        self.configuration = configuration
        self.context = context
        self.logger = logger
        let settings = configuration.aggregator
        let queue = FeedQueue()
        let aggregator = Aggregator(configuration: settings, clock: clock, publish: queue.append)
        self.aggregator = aggregator
        ingest = IngestServer(
            configuration: .init(endpoints: [settings.ingestEndpoint] + configuration.extraIngestEndpoints, security: settings.security),
            context: context, aggregator: aggregator, log: configuration.dataDirectory?.log, logger: logger)
        feed = FeedServer(
            configuration: .init(
                endpoint: settings.feedEndpoint, security: settings.security, tickInterval: settings.tickInterval,
                heartbeatInterval: settings.heartbeatInterval, highWaterMark: settings.feedHighWaterMark),
            context: context, aggregator: aggregator, queue: queue, logger: logger)
        snapshot = SnapshotServer(
            configuration: .init(endpoint: settings.snapshotEndpoint, security: settings.security),
            context: context, aggregator: aggregator, logger: logger)
        checkpointer = configuration.dataDirectory.map {
            Checkpointer(directory: $0, aggregator: aggregator, interval: configuration.checkpointInterval, logger: logger)
        }
    }

    /// Restores the newest good checkpoint and replays the log after it; `nil` without a
    /// data directory. Call once, before ``run()``.
    public func restore() async throws -> DataDirectory.RestoreSummary? {
        try await configuration.dataDirectory?.restore(into: aggregator)
    }

    /// Where the sockets listen, once ``run()`` has bound them all.
    public var endpoints: Endpoints {
        get async throws {
            Endpoints(ingest: try await ingest.boundEndpoint, feed: try await feed.boundEndpoint,
                      snapshot: try await snapshot.boundEndpoint)
        }
    }

    /// Serves until graceful shutdown. With CURVE the ZAP handler comes up first: a socket
    /// bound without it would admit any client key.
    public func run() async throws {
        let zap = try await configuration.aggregator.security?.startAuthenticator(context: context, logger: logger)
        defer { try? zap?.stop() }
        let parts: [any Service] = (checkpointer.map { [$0] } ?? []) + [ingest, feed, snapshot]
        try await ServiceGroup(services: parts, logger: logger).run()
    }
}
