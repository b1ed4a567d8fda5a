import Foundation
import Logging
import PixelAggregator
import PixelCollector
import PixelCore
import PixelPulseTesting
import Prometheus
import ServiceLifecycle
import Testing
import ZeroMQ
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Aggregator and collector in one process, as `pixelpulse serve` runs them: hits from a
/// real HTTP client must reach a real SUB socket with exactly the counts sent.
@Suite(.serialized) struct InProcessTests {
    @Test func hitsOverHTTPReachTheFeedWithExactCounts() async throws {
        var logger = Logger(label: "test.e2e")
        logger.logLevel = .warning
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpulse-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let ingestEndpoint = "ipc://\(directory.path)/ingest"

        let context = try Context()
        let configuration = AggregatorConfiguration(
            ingestEndpoint: ingestEndpoint, feedEndpoint: "tcp://127.0.0.1:*", snapshotEndpoint: "tcp://127.0.0.1:*",
            tickInterval: .milliseconds(50))
        let service = AggregatorService(configuration: .init(aggregator: configuration), context: context, logger: logger)
        let aggregator = service.aggregator
        var collectorConfiguration = CollectorConfiguration(ingestEndpoint: ingestEndpoint, collectorID: "e2e")
        collectorConfiguration.port = 0
        let collector = Collector(
            configuration: collectorConfiguration, zmqContext: context, registry: PrometheusCollectorRegistry(), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [service, collector], logger: logger))

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let feedEndpoint = try await service.endpoints.feed
            let port = try await collector.listeningPort

            // Subscribe first, and wait for a heartbeat so the subscription is live.
            let subscriber = try await onSocketThread {
                let sub = try context.socket(.sub)
                try sub.set(.receiveTimeout, to: .seconds(20))
                try sub.subscribe("")
                try sub.connect(feedEndpoint)
                while String(decoding: try sub.receiveMultipart()[0], as: UTF8.self) != FeedTopic.heartbeat {}
                return UncheckedSocket(socket: sub)
            }

            var expected: [String: [Int]] = [:]  // topic → views, clicks, conversions, value (1h)
            let session = URLSession(configuration: .ephemeral)
            for i in 0..<120 {
                let campaign = ["alpha", "beta"][i % 2]
                let pixel = "p\(i % 3)"
                let (kind, index, value) = i % 10 == 0 ? ("conversion", 2, 250) : i % 4 == 0 ? ("click", 1, 0) : ("view", 0, 0)
                let query = kind == "conversion" ? "e=conversion&v=\(value)" : "e=\(kind)"
                let (body, response) = try await session.data(from: URL(string: "http://127.0.0.1:\(port)/p/\(campaign)/\(pixel).gif?\(query)")!)
                #expect((response as? HTTPURLResponse)?.statusCode == 200)
                #expect(body.count == 43)
                for topic in ["stats/\(campaign)/\(pixel)/", "stats/\(campaign)/*/"] {
                    var counts = expected[topic] ?? [0, 0, 0, 0]
                    counts[index] += 1
                    counts[3] += value
                    expected[topic] = counts
                }
            }
            session.invalidateAndCancel()

            let received = try await onSocketThread { [expected] in
                var latest: [String: (seq: Int, counts: [Int])] = [:]
                let deadline = ContinuousClock.now + .seconds(30)
                while latest.mapValues(\.counts) != expected, ContinuousClock.now < deadline {
                    let frames = try subscriber.socket.receiveMultipart()
                    let topic = String(decoding: frames[0], as: UTF8.self)
                    guard topic.hasPrefix(FeedTopic.statsPrefix),
                          let body = try JSONSerialization.jsonObject(with: Data(frames[1])) as? [String: Any],
                          let seq = body["seq"] as? Int,
                          let hour = (body["windows"] as? [String: [String: Any]])?["1h"] else { continue }
                    if seq > latest[topic]?.seq ?? 0 {
                        latest[topic] = (seq, ["views", "clicks", "conversions", "value"].map { hour[$0] as? Int ?? -1 })
                    }
                }
                subscriber.socket.close()
                return latest.mapValues(\.counts)
            }
            #expect(received == expected)
            #expect(await aggregator.statistics.events == 120)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

/// Moves a socket made on one test thread to another, which is then its only user.
struct UncheckedSocket: @unchecked Sendable {
    let socket: Socket
}
