import AsyncAlgorithms
import Logging
import PixelCore
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// Publishes the live feed on a ZeroMQ PUB socket: on every tick what changed, and a
/// heartbeat at least once a second.
///
/// The PUB socket lives on its own thread and never blocks: libzmq keeps a queue of
/// ``AggregatorConfiguration/feedHighWaterMark`` messages per subscriber and drops that
/// subscriber's messages beyond it, so a slow subscriber loses messages (and sees a gap in
/// `seq`) without slowing ingestion or anyone else.
public final class FeedServer: Service {
    private let configuration: AggregatorConfiguration
    private let context: Context
    private let aggregator: Aggregator
    private let logger: Logger
    private let queue = FeedQueue()
    private let bound = OneShot<String>()
    private let stopping = Atomic(false)

    /// Creates the server; ``run()`` binds and publishes.
    public init(configuration: AggregatorConfiguration, context: Context, aggregator: Aggregator, logger: Logger) {
        self.configuration = configuration
        self.context = context
        self.aggregator = aggregator
        self.logger = logger
    }

    /// The endpoint actually bound, once ``run()`` has bound it.
    public var boundEndpoint: String {
        get async throws { try await bound.value }
    }

    /// Publishes until graceful shutdown, then publishes the final changes.
    public func run() async throws {
        let finished = OneShot<Void>()
        let thread = ZMQThread.start(name: "pp-feed") { [self] in
            finished.resolve(Result { try publish() })
        }
        defer { try? thread.join() }
        _ = try await boundEndpoint
        let ticks = AsyncTimerSequence(interval: configuration.tickInterval, clock: .continuous)
        var sinceHeartbeat = Duration.zero
        queue.append([await aggregator.heartbeat()])
        for await _ in ticks.cancelOnGracefulShutdown() {
            var messages = await aggregator.changes()
            sinceHeartbeat += configuration.tickInterval
            if sinceHeartbeat >= configuration.heartbeatInterval {
                sinceHeartbeat = .zero
                messages.append(await aggregator.heartbeat())
            }
            queue.append(messages)
        }
        queue.append(await aggregator.changes())
        stopping.store(true, ordering: .relaxed)
        try await finished.value
    }

    private func publish() throws {
        let pub: Socket
        do {
            pub = try context.socket(.pub)
            try pub.set(.sendHighWaterMark, to: configuration.feedHighWaterMark)
            try pub.set(.linger, to: .milliseconds(200))
            try pub.bind(configuration.feedEndpoint)
            let actual = try pub.lastEndpoint
            bound.succeed(actual)
            logger.info("feed listening", metadata: ["feed.endpoint": "\(actual)"])
        } catch {
            bound.fail(error)
            throw error
        }
        defer { pub.close() }
        var done = false
        while !done {
            done = stopping.load(ordering: .relaxed)
            for message in queue.take(waiting: .milliseconds(50)) {
                do {
                    // A PUB socket drops at a subscriber's high-water mark rather than block.
                    _ = try pub.trySend(Array(message.topic.utf8), more: true)
                    _ = try pub.trySend(message.body)
                } catch {
                    guard error == .contextTerminated else { throw error }
                    return
                }
            }
        }
        logger.info("feed stopped")
    }
}
