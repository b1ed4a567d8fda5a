import AsyncAlgorithms
import Logging
import PixelCore
import PixelSupport
import ServiceLifecycle
import ZeroMQ

/// Publishes the live feed on a ZeroMQ PUB socket: on every tick what changed, and a
/// heartbeat at least once a second.
///
/// The PUB socket lives on its own thread and never blocks: libzmq keeps a queue of
/// ``Configuration/highWaterMark`` messages per subscriber and drops that
/// subscriber's messages beyond it, so a slow subscriber loses messages (and sees a gap in
/// `seq`) without slowing ingestion or anyone else.
final class FeedServer: SocketServer {
    /// Where it publishes, how often, and how much it queues per subscriber.
    struct Configuration: Sendable {
        var endpoint: String
        /// CURVE with allowlists; `nil` for plain transport.
        var security: TransportSecurity?
        /// How often changed keys are published.
        var tickInterval: Duration
        /// How often the `heartbeat/` topic is published.
        var heartbeatInterval: Duration
        /// Messages queued per subscriber before libzmq drops that subscriber's messages.
        var highWaterMark: Int
    }

    private let configuration: Configuration
    private let context: Context
    private let aggregator: Aggregator
    /// Filled by the aggregator itself, in `seq` order: snapshot reads flush pending
    /// changes into it too (see ``Aggregator/snapshot(prefix:from:limit:)``).
    private let queue: FeedQueue
    private let logger: Logger
    let thread = SocketThread(name: "feed")

    /// Creates the server; ``run()`` binds and publishes what `aggregator` puts in `queue`.
    init(configuration: Configuration, context: Context, aggregator: Aggregator, queue: FeedQueue, logger: Logger) {
        self.configuration = configuration
        self.context = context
        self.aggregator = aggregator
        self.queue = queue
        self.logger = logger
    }

    /// Publishes until graceful shutdown, then publishes the final changes.
    func run() async throws {
        thread.start { [self] in try serve() }
        do {
            _ = try await boundEndpoint
        } catch {
            try await thread.join()
            throw error
        }
        let ticks = AsyncTimerSequence(interval: configuration.tickInterval, clock: .continuous)
        var sinceHeartbeat = Duration.zero
        await aggregator.publishHeartbeat(published: queue.published)
        for await _ in ticks.cancelOnGracefulShutdown() {
            await aggregator.publishChanges()
            sinceHeartbeat += configuration.tickInterval
            if sinceHeartbeat >= configuration.heartbeatInterval {
                sinceHeartbeat = .zero
                await aggregator.publishHeartbeat(published: queue.published)
            }
        }
        await aggregator.publishChanges()
        thread.stop()
        try await thread.join()
    }

    /// Publishes what the aggregator queues, until stopped.
    func serve() throws {
        let pub = try thread.bind(
            .pub, context: context, endpoints: [configuration.endpoint], security: configuration.security, logger: logger
        ) {
            socket throws(ZMQError) in
            try socket.set(.sendHighWaterMark, to: configuration.highWaterMark)
            try socket.set(.linger, to: .milliseconds(200))
        }
        defer { pub.close() }
        var done = false
        while !done {
            done = thread.isStopping
            for message in queue.take(waiting: .milliseconds(50)).lazy.map(\.message) {
                do {
                    // A PUB socket drops at a subscriber's high-water mark rather than block.
                    _ = try pub.trySend(Array(message.topic.utf8), more: true)
                    _ = try pub.trySend(message.body)
                    queue.countPublished()
                } catch {
                    guard error == .contextTerminated else { throw error }
                    return
                }
            }
        }
        logger.info("Feed stopped")
    }
}
