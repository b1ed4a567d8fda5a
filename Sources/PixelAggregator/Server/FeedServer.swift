import Logging
import PixelCore
import PixelSupport
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// Publishes the live feed on a ZeroMQ XPUB socket: what the aggregator counted (as soon
/// as it is counted, each key at most once per tick), and a heartbeat at least once a
/// second.
///
/// The socket lives on its own thread and never blocks: libzmq keeps a queue of
/// ``Configuration/highWaterMark`` messages per subscriber and drops that
/// subscriber's messages beyond it, so a slow subscriber loses messages (and sees a gap in
/// `seq`) without slowing ingestion or anyone else.
///
/// XPUB (rather than PUB) tells the thread which prefixes are subscribed: stats that no
/// subscriber wants are never encoded (counted as `unsubscribed` in the heartbeat). The
/// subscriptions are read before each lot of messages, so a subscription libzmq applied
/// before a heartbeat reached its subscriber is known before any later message: and a
/// subscriber asks for its snapshot only after that heartbeat, so it misses nothing.
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
        try? await gracefulShutdown()
        await aggregator.publishChanges(all: true)
        thread.stop()
        try await thread.join()
    }

    /// Asks the aggregator for what is due, and for a heartbeat when it is time, without
    /// waiting for it: the feed thread's clock, not the busy task pool, keeps the time.
    /// A request still running when the next is due makes the next wait.
    private final class Timer: Sendable {
        /// Four steps per tick: a key held back for its tick waits at most a quarter of a
        /// tick more; but at most 50 steps a second, and at least one per heartbeat.
        let step: Duration
        let heartbeatInterval: Duration
        private let busy = Atomic<Bool>(false)

        init(_ configuration: Configuration) {
            step = min(max(configuration.tickInterval / 4, .milliseconds(20)), configuration.heartbeatInterval)
            heartbeatInterval = configuration.heartbeatInterval
        }

        /// Returns `false`, asking nothing, while the previous request runs.
        func fire(_ aggregator: Aggregator, heartbeat: Bool, queue: FeedQueue) -> Bool {
            guard !busy.exchange(true, ordering: .acquiring) else { return false }
            Task {
                await aggregator.publishChanges()
                if heartbeat {
                    await aggregator.publishHeartbeat(
                        published: queue.published, unsubscribed: queue.unsubscribed, backlog: queue.takeBacklog())
                }
                busy.store(false, ordering: .releasing)
            }
            return true
        }
    }

    /// Publishes what the aggregator queues, until stopped.
    func serve() throws {
        let pub = try thread.bind(
            .xpub, context: context, endpoints: [configuration.endpoint], security: configuration.security, logger: logger
        ) {
            socket throws(ZMQError) in
            try socket.set(.sendHighWaterMark, to: configuration.highWaterMark)
            try socket.set(.linger, to: .milliseconds(200))
        }
        defer { pub.close() }
        var subscriptions = FeedSubscriptions()
        let layout = aggregator.layout
        let timer = Timer(configuration)
        var nextStep = ContinuousClock.now
        var nextHeartbeat = nextStep
        var done = false
        while !done {
            done = thread.isStopping
            let now = ContinuousClock.now
            if now >= nextStep {
                let heartbeat = now >= nextHeartbeat
                // After a stall, on from now rather than a burst of missed steps; a
                // heartbeat not asked for yet is asked for at the next step.
                nextStep = max(nextStep + timer.step, now)
                if timer.fire(aggregator, heartbeat: heartbeat, queue: queue), heartbeat {
                    nextHeartbeat = max(nextHeartbeat + timer.heartbeatInterval, now)
                }
            }
            let items = queue.take(waiting: nextStep - ContinuousClock.now)
            do {
                while let subscription = try pub.tryReceive() { subscriptions.apply(subscription) }
            } catch {
                guard error == .contextTerminated else { throw error }
                return
            }
            for item in items {
                if let topic = item.unencodedTopic, !subscriptions.wants(topic) {
                    queue.countUnsubscribed()
                    continue
                }
                let message = item.message(layout: layout)
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
