import Foundation
import Logging
import PixelAggregator
import PixelCore
import ServiceLifecycle
import ZeroMQ

/// A real aggregator (ingest, feed and snapshot servers) running in a ServiceGroup until
/// ``stop()``; restartable on the same endpoints by starting another with ``endpoints``.
final class LiveAggregator: Sendable {
    struct Endpoints: Sendable {
        var ingest = "tcp://127.0.0.1:*", feed = "tcp://127.0.0.1:*", snapshot = "tcp://127.0.0.1:*"

        /// ipc endpoints in a new temporary folder, for restarts on the same endpoints: a
        /// tcp port freed by one run may be taken as a source port by any outgoing
        /// connection on the machine before the next run binds it again.
        static func ipc() throws -> Endpoints {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pp-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return Endpoints(ingest: "ipc://\(folder.path)/ingest", feed: "ipc://\(folder.path)/feed",
                             snapshot: "ipc://\(folder.path)/snapshot")
        }
    }

    let aggregator: Aggregator
    let endpoints: Endpoints
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    private init(aggregator: Aggregator, endpoints: Endpoints, group: ServiceGroup, running: Task<Void, any Error>) {
        self.aggregator = aggregator
        self.endpoints = endpoints
        self.group = group
        self.running = running
    }

    static func start(
        _ endpoints: Endpoints = Endpoints(), feedHighWaterMark: Int = 100_000,
        windows: WindowConfiguration = .standard, alertRules: [AlertRule]? = nil,
        clock: @escaping @Sendable () -> Int64 = Aggregator.wallClock, context: Context
    ) async throws -> LiveAggregator {
        var logger = Logger(label: "test.aggregator")
        logger.logLevel = .error
        let configuration = AggregatorConfiguration(
            ingestEndpoint: endpoints.ingest, feedEndpoint: endpoints.feed, snapshotEndpoint: endpoints.snapshot,
            windows: windows, tickInterval: .milliseconds(20), feedHighWaterMark: feedHighWaterMark, alertRules: alertRules)
        let aggregator = Aggregator(configuration: configuration, clock: clock)
        let ingest = IngestServer(endpoints: [endpoints.ingest], context: context, aggregator: aggregator, logger: logger)
        let feed = FeedServer(configuration: configuration, context: context, aggregator: aggregator, logger: logger)
        let snapshot = SnapshotServer(endpoint: endpoints.snapshot, context: context, aggregator: aggregator, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [ingest, feed, snapshot], logger: logger))
        let running = Task { try await group.run() }
        let bound = Endpoints(ingest: try await ingest.boundEndpoint, feed: try await feed.boundEndpoint,
                              snapshot: try await snapshot.boundEndpoint)
        return LiveAggregator(aggregator: aggregator, endpoints: bound, group: group, running: running)
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }
}

/// Runs blocking socket code on its own thread (never on Swift's cooperative pool).
func onSocketThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        _ = ZMQThread.start(name: "test-client") { @Sendable in
            continuation.resume(with: Result { try body() })
        }
    }
}

/// Sends batches to an ingest endpoint and waits for every acknowledgement.
func send(_ batches: [EventBatch], to endpoint: String, context: Context) async throws {
    let frames = batches.map { $0.encoded() }
    try await onSocketThread {
        let dealer = try context.socket(.dealer)
        defer { dealer.close() }
        try dealer.set(.receiveTimeout, to: .seconds(10))
        try dealer.set(.linger, to: .zero)
        try dealer.connect(endpoint)
        for frame in frames { try dealer.send(frame) }
        for _ in frames { _ = try dealer.receive() }
    }
}

/// Views of `pixels` pixels (`p0`…) of `campaign`, `count` in all, in batches of 500.
func viewBatches(_ count: Int, campaign: CampaignID, pixels: Int, firstSequence: UInt64) -> [EventBatch] {
    let now = Aggregator.wallClock()
    var batches: [EventBatch] = []
    for start in stride(from: 0, to: count, by: 500) {
        var batch = EventBatch(collector: "edge-1", sequence: firstSequence + UInt64(batches.count))
        for i in start..<min(start + 500, count) {
            batch.append(HitEvent(time: now, kind: .view, campaign: campaign, pixel: PixelID(unchecked: "p\(i % pixels)")))
        }
        batches.append(batch)
    }
    return batches
}

struct Timeout: Error {}

/// The first element of `sequence` that satisfies `predicate`, or `Timeout` after `limit`.
func first<S: AsyncSequence & Sendable>(
    of sequence: S, within limit: Duration = .seconds(20), where predicate: @escaping @Sendable (S.Element) -> Bool
) async throws -> S.Element where S.Element: Sendable {
    try await withThrowingTaskGroup(of: S.Element?.self) { tasks in
        tasks.addTask {
            for try await element in sequence where predicate(element) { return element }
            return nil
        }
        tasks.addTask {
            try await Task.sleep(for: limit)
            throw Timeout()
        }
        defer { tasks.cancelAll() }
        guard let element = try await tasks.next()! else { throw Timeout() }
        return element
    }
}
