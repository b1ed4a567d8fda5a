import Logging
import PixelAggregator
import PixelCore
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// A real aggregator (ingest ROUTER, feed PUB and snapshot ROUTER on tcp://127.0.0.1 port 0) running in a
/// ServiceGroup for the length of `body`, then shut down gracefully; with its ZAP handler
/// when the configuration has ``TransportSecurity``.
struct AggregatorFixture {
    let context: Context
    let aggregator: Aggregator
    let ingestEndpoint: String
    let feedEndpoint: String
    let snapshotEndpoint: String

    static func with<T: Sendable>(
        configuration: AggregatorConfiguration = AggregatorConfiguration(
            ingestEndpoint: "tcp://127.0.0.1:*", feedEndpoint: "tcp://127.0.0.1:*",
            snapshotEndpoint: "tcp://127.0.0.1:*", tickInterval: .milliseconds(20)),
        clock: @escaping @Sendable () -> Int64 = Aggregator.wallClock,
        _ body: (AggregatorFixture) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "test.aggregator")
        logger.logLevel = .warning
        let context = try Context()
        let aggregator = Aggregator(configuration: configuration, clock: clock)
        let zap = try await configuration.security?.startAuthenticator(context: context, logger: logger)
        defer { try? zap?.stop() }
        let ingest = IngestServer(endpoints: [configuration.ingestEndpoint], context: context, aggregator: aggregator,
                                  security: configuration.security, logger: logger)
        let feed = FeedServer(configuration: configuration, context: context, aggregator: aggregator, logger: logger)
        let snapshot = SnapshotServer(endpoint: configuration.snapshotEndpoint, context: context, aggregator: aggregator,
                                      security: configuration.security, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [ingest, feed, snapshot], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }
            let fixture = AggregatorFixture(
                context: context, aggregator: aggregator,
                ingestEndpoint: try await ingest.boundEndpoint, feedEndpoint: try await feed.boundEndpoint,
                snapshotEndpoint: try await snapshot.boundEndpoint)
            let result = try await body(fixture)
            await group.triggerGracefulShutdown()
            try await tasks.next()
            return result
        }
    }
}

/// Runs blocking socket code on its own thread (never on Swift's cooperative pool) and
/// awaits its result.
func onSocketThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        // The handle is dropped (the thread is detached); the continuation carries the result.
        _ = ZMQThread.start(name: "test-client") { @Sendable in
            continuation.resume(with: Result { try body() })
        }
    }
}

/// A feed subscriber for tests: subscribes, waits until the subscription is live (the
/// first heartbeat arrives), then collects messages until a condition holds.
final class TestSubscriber {
    let socket: Socket

    init(context: Context, endpoint: String, prefixes: [String]) throws {
        socket = try context.socket(.sub)
        try socket.set(.receiveTimeout, to: .seconds(10))
        for prefix in prefixes + [FeedTopic.heartbeat] { try socket.subscribe(prefix) }
        try socket.connect(endpoint)
        // The heartbeat proves the subscription reached the publisher.
        while try receive().topic != FeedTopic.heartbeat {}
    }

    func receive() throws -> FeedMessage {
        let frames = try socket.receiveMultipart()
        return FeedMessage(topic: String(decoding: frames[0], as: UTF8.self), body: frames.count > 1 ? frames[1] : [])
    }

    /// Receives until `isDone` says so, or throws after the receive timeout.
    func collect(until isDone: ([FeedMessage]) -> Bool) throws -> [FeedMessage] {
        var messages: [FeedMessage] = []
        while !isDone(messages) { messages.append(try receive()) }
        return messages
    }
}
