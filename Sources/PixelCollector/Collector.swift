public import Logging
public import Metrics
import NIOCore
import PixelCore
import PixelSupport
public import Prometheus
public import ServiceLifecycle
public import ZeroMQ

/// The HTTP edge collector: answers tracking pixels and beacons, turns hits into batches
/// of events, and forwards them to the aggregator over ZeroMQ.
///
/// Run it as a `Service` in a `ServiceGroup`. ``run()`` binds the HTTP port, serves until
/// a graceful shutdown (or cancellation), then stops accepting connections, lets open
/// requests finish, sends the last open batch, waits up to
/// ``CollectorConfiguration/shutdownTimeout`` for the aggregator's acknowledgements, and
/// closes its socket.
///
/// ```swift
/// let collector = Collector(
///     configuration: CollectorConfiguration(
///         ingestEndpoint: "tcp://127.0.0.1:5570", collectorID: "edge-1"),
///     zmqContext: context, registry: registry, logger: logger)
/// let group = ServiceGroup(
///     services: [collector], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
///
/// With ``CollectorConfiguration/spoolDirectory``, every hit is written to a disk spool
/// before it is answered and batches are sent from it; ``run()`` first recovers what the
/// spool holds (``spoolRecovery``), and on shutdown leaves what is not acknowledged there
/// for the next start instead of counting it lost.
///
/// Threads: the HTTP server runs on ``CollectorConfiguration/eventLoopThreads`` SwiftNIO
/// event loops, which record hits straight into the batcher (one short lock per hit);
/// the ZeroMQ DEALER socket lives on one dedicated thread. Nothing on the request path
/// awaits, hops to an actor, or calls libzmq.
public actor Collector: Service {
    /// Errors of the collector's own making.
    public enum Error: Swift.Error, Equatable {
        /// ``run()`` was called a second time.
        case alreadyRunning
        /// A setting is out of range; the text names it.
        case invalidConfiguration(String)
    }

    private enum State {
        case initial
        case starting
        case running(CollectorHTTPServer)
        case stopping
        case stopped
    }

    /// The configuration the collector was made with.
    public nonisolated let configuration: CollectorConfiguration
    private let zmqContext: Context
    private let registry: PrometheusCollectorRegistry
    private let metrics: CollectorMetrics
    private let conversionMetrics: ConversionMetrics
    private let logger: Logger
    private let boundPort = OneShot<Int>()
    private let recovered = OneShot<SpoolRecovery?>()
    private let linkSettings = OneShot<LinkSettings>()
    private var state = State.initial
    private var shutdownRequested = false

    /// Creates a collector; nothing runs until ``run()``.
    ///
    /// - Parameters:
    ///   - configuration: Listening, batching and forwarding settings.
    ///   - zmqContext: The ZeroMQ context for the forwarder's socket. Shut it down only
    ///     after ``run()`` has returned.
    ///   - registry: The registry `/metrics` serves.
    ///   - metricsFactory: Where the collector's metrics are made; by default a
    ///     `PrometheusMetricsFactory` over `registry`. The global `MetricsSystem` is never
    ///     used, so several collectors (or tests) keep their metrics apart.
    ///   - logger: The logger for lifecycle events; nothing is logged per request.
    public init(
        configuration: CollectorConfiguration, zmqContext: Context, registry: PrometheusCollectorRegistry,
        metricsFactory: (any MetricsFactory)? = nil, logger: Logger
    ) {
        self.configuration = configuration
        self.zmqContext = zmqContext
        self.registry = registry
        let factory = metricsFactory ?? PrometheusMetricsFactory(registry: registry)
        self.metrics = CollectorMetrics(factory: factory)
        conversionMetrics = ConversionMetrics(factory: factory)
        self.logger = logger
    }

    /// The port the HTTP server listens on, once it is bound.
    ///
    /// Waits until ``run()`` has bound the port, so a caller that configured port `0`
    /// can read the real one without polling.
    ///
    /// - Throws: The error that stopped ``run()`` before the port was bound.
    public nonisolated var listeningPort: Int {
        get async throws { try await boundPort.value }
    }

    /// What the spool held at start, once it is opened: `nil` without a spool.
    ///
    /// - Throws: The error that stopped ``run()`` before the spool was opened.
    public nonisolated var spoolRecovery: SpoolRecovery? {
        get async throws { try await recovered.value }
    }

    /// What tracking links are answered with, once ``run()`` has resolved the link secrets:
    /// the keys that sign and verify links and click ids, and the pixel sets, which a
    /// reload replaces while the collector serves.
    ///
    /// - Throws: The error that stopped ``run()`` before the secrets were resolved.
    public nonisolated var links: LinkSettings {
        get async throws { try await linkSettings.value }
    }

    /// Serves until a graceful shutdown or cancellation, then drains and returns.
    ///
    /// - Throws: ``Error/alreadyRunning`` on a second call;
    ///   ``Error/invalidConfiguration(_:)``; ``SecretFileError``; a bind or ZeroMQ error at start (an
    ///   unreachable ingest endpoint is not an error: hits queue until it answers); the
    ///   forwarder's error if its thread failed while serving.
    public func run() async throws {
        guard case .initial = state else { throw Error.alreadyRunning }
        state = .starting
        let (server, forwarder) = try await start()

        boundPort.succeed(server.port)
        state = .running(server)
        logger.info(
            "Collector listening",
            metadata: [
                "http.host": "\(configuration.host)", "http.port": "\(server.port)",
                "collector.id": "\(configuration.collectorID)",
            ])
        if shutdownRequested { server.closeListener() }

        // A forwarder thread that ends on its own (a ZeroMQ error) stops the server too.
        let watcher = Task.detached {
            _ = try? await forwarder.thread.outcome
            server.closeListener()
        }
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await server.waitUntilClosed()
            } onCancel: {
                server.closeListener()
            }
        } onGracefulShutdown: {
            server.closeListener()
        }

        state = .stopping
        logger.info("Collector draining")
        let timeout = configuration.shutdownTimeout
        await server.stop(grace: timeout, logger: logger)
        forwarder.drain(within: timeout)
        let outcome = await Self.outcome(of: forwarder)
        forwarder.thread.join()  // the loop has returned its outcome: the thread is ending
        watcher.cancel()
        state = .stopped
        switch outcome {
        case .success(let summary):
            logger.info("Collector stopped", metadata: [
                "events.lost": "\(summary.lostEvents)", "events.spooled": "\(summary.spooledEvents)"])
        case .failure(let error):
            logger.error("Collector forwarder failed", metadata: ["error": "\(error)"])
            throw error
        }
    }

    /// Starts the forwarder thread, then the HTTP server; on failure resolves the port
    /// with the error.
    private func start() async throws -> (CollectorHTTPServer, Forwarder) {
        do {
            return try await startParts()
        } catch {
            state = .stopped
            boundPort.fail(error)
            recovered.fail(error)
            linkSettings.fail(error)
            logger.error("Collector failed to start", metadata: ["error": "\(error)"])
            throw error
        }
    }

    private func startParts() async throws -> (CollectorHTTPServer, Forwarder) {
        let configuration = configuration
        if let problem = configuration.problem { throw Error.invalidConfiguration(problem) }
        let visitors = VisitorHasher(secret: try VisitorSecret.resolve(configuration, logger: logger))
        let links = LinkSettings(
            keys: try LinkSecrets.resolve(configuration, logger: logger), pixelSets: configuration.pixelSets,
            allowedHosts: configuration.linkAllowedHosts)
        linkSettings.succeed(links)
        let wake = try WakeSignal()
        let spool = try configuration.spoolDirectory.map {
            try Spool(directory: $0, collector: configuration.collectorID, limitBytes: configuration.spoolLimitBytes, logger: logger)
        }
        if let recovery = spool?.recovery, recovery.batches > 0 {
            logger.info("Recovered spooled batches; sending them first", metadata: [
                "spool.directory": "\(recovery.directory)", "batches": "\(recovery.batches)", "events": "\(recovery.events)",
                "events.sealed_open": "\(recovery.sealedOpenEvents)"])
        }
        recovered.succeed(spool?.recovery)
        let batcher = HitBatcher(
            collector: configuration.collectorID,
            firstSequence: max(configuration.firstBatchSequence, spool?.nextSequence ?? 0),
            batchSize: configuration.batchSize, batchDelay: configuration.batchDelay,
            queueLimit: configuration.queueLimit, wake: wake, spool: spool)
        let forwarder = Forwarder(
            settings: Forwarder.Settings(
                endpoint: configuration.ingestEndpoint, unackedLimit: configuration.queueLimit, ackTimeout: configuration.ackTimeout,
                curve: configuration.curve),
            batcher: batcher, wake: wake, metrics: metrics, logger: logger)
        forwarder.start(context: zmqContext)
        do {
            try await forwarder.thread.readiness
            let services = HTTPServices(
                batcher: batcher, metrics: metrics, visitors: visitors, countries: configuration.countryDatabase,
                forwarder: forwarder, registry: registry, trustForwardedFor: configuration.trustForwardedFor,
                maxBeaconBodySize: configuration.maxBeaconBodySize, origins: configuration.allowedOrigins, links: links, logger: logger,
                conversions: ConversionEndpoint(
                    tokens: configuration.conversionTokens,
                    rules: ConversionRules(currency: configuration.currency, checkClickID: ConversionRules.checkClickID(with: links)),
                    batcher: batcher, metrics: conversionMetrics,
                    confirmTimeout: TimeAmount(configuration.conversionConfirmTimeout)))
            let server = try await CollectorHTTPServer.start(
                host: configuration.host, port: configuration.port, threads: configuration.eventLoopThreads,
                idleTimeout: configuration.idleTimeout, services: services)
            return (server, forwarder)
        } catch {
            forwarder.drain(within: .zero)
            _ = try? await forwarder.thread.outcome
            forwarder.thread.join()
            throw error
        }
    }

    private static func outcome(of forwarder: Forwarder) async -> Result<Forwarder.Summary, any Swift.Error> {
        do {
            return .success(try await forwarder.thread.outcome)
        } catch {
            return .failure(error)
        }
    }

    /// Starts the same graceful shutdown as the service group's: ``run()`` stops accepting
    /// connections, drains, and returns.
    public func shutdownGracefully() {
        switch state {
        case .initial, .starting:
            shutdownRequested = true
        case .running(let server):
            server.closeListener()
        case .stopping, .stopped:
            break
        }
    }
}
