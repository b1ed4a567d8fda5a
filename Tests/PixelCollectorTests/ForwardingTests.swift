import Foundation
import Logging
import PixelCollector
import PixelCore
import PixelPulseTesting
import Prometheus
import ServiceLifecycle
import Testing
import ZeroMQ

/// Batching, acknowledgement, queueing and shutdown, against a real ROUTER.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct ForwardingTests {
    @Test func eventsArriveWithEveryField() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context) {
            $0.batchSize = 1000
            $0.batchDelay = .milliseconds(20)
        }
        let iPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148"
        let before = Self.nowMilliseconds()
        try await TestHTTPConnection.with(port: collector.port) { connection in
            let agent = [("User-Agent", iPhone)]
            _ = try await connection.request("GET", "/p/camp-1/hero.gif", headers: agent)
            _ = try await connection.request("GET", "/p/camp-1/hero.gif?e=click&v=99", headers: agent)
            _ = try await connection.request("GET", "/p/camp-1/cta.gif?e=conversion&v=123456&id=ord%2D9", headers: agent)
            _ = try await connection.request("GET", "/p/camp-2/hero.gif?id=x", headers: [("User-Agent", "Googlebot/2.1")])
        }
        let after = Self.nowMilliseconds()
        let batches = await ingest.events(count: 4)
        #expect(batches.allSatisfy { $0.collector == "test-edge" })
        #expect(batches.first?.sequence == 1000)
        let hits = batches.flatMap(\.hits)
        try #require(hits.count == 4)
        #expect(hits.map(\.kind) == [.view, .click, .conversion, .bot])
        #expect(hits.map(\.campaign) == ["camp-1", "camp-1", "camp-1", "camp-2"])
        #expect(hits.map(\.pixel) == ["hero", "hero", "cta", "hero"])
        #expect(hits.map(\.value) == [nil, nil, 123_456, nil])
        #expect(hits.map(\.eventID) == [nil, nil, EventID(text: "ord-9"), nil])
        #expect(hits.map(\.device) == [.mobile, .mobile, .mobile, .bot])
        #expect(hits.allSatisfy { (before...after).contains($0.time) })
        // One visitor per (address, agent): the same for the iPhone hits; a bot is no visitor.
        #expect(hits[0].visitor != nil && hits[0].visitor == hits[1].visitor && hits[1].visitor == hits[2].visitor)
        #expect(hits[3].visitor == nil)
        #expect(collector.sample("pixelpulse_collector_bots_total", #"route="pixel""#) == 1)
        #expect(collector.sample("pixelpulse_collector_hits_total", #"kind="bot""#) == 1)
        #expect(collector.sample("pixelpulse_collector_hits_total", #"kind="view""#) == 1)

        try await collector.stop()
        #expect(collector.sample("pixelpulse_collector_batch_acks_total", #"status="accepted""#) == batches.count)
        #expect(collector.sample("pixelpulse_collector_events_sent_total") == 4)
        await ingest.stop()
    }

    @Test func batchesFillByCount() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        // A delay far beyond the test's patience: only the count can seal these batches.
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context) {
            $0.batchSize = 4
            $0.batchDelay = .seconds(30)
        }
        try await TestHTTPConnection.with(port: collector.port) { connection in
            for index in 0..<8 { _ = try await connection.request("GET", "/p/c/p\(index).gif") }
        }
        let batches = await ingest.events(count: 8)
        #expect(batches.map(\.count) == [4, 4])
        #expect(batches.map(\.sequence) == [1000, 1001])
        #expect(batches.flatMap(\.hits).map(\.pixel.rawValue) == (0..<8).map { "p\($0)" })
        try await collector.stop()
        await ingest.stop()
    }

    @Test func aLoneHitLeavesAfterTheBatchDelay() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context) {
            $0.batchSize = 256
            $0.batchDelay = .milliseconds(20)
        }
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await TestHTTPConnection.request(port: collector.port, "GET", "/p/c/lone.gif")
        let batch = try #require(await ingest.batches.next(timeout: .seconds(5)))
        let elapsed = start.duration(to: clock.now)
        #expect(batch.count == 1)
        #expect(elapsed >= .milliseconds(20))
        #expect(elapsed < .seconds(2))
        try await collector.stop()
        await ingest.stop()
    }

    @Test func readinessFollowsTheAggregatorLink() async throws {
        let context = try Context()
        let endpoint = temporaryIPCEndpoint()
        let collector = try await RunningCollector.start(ingest: endpoint, context: context)
        let readyz = { try await TestHTTPConnection.request(port: collector.port, "GET", "/readyz") }

        let down = try await readyz()
        #expect(down.status == 503)
        #expect(down.text == "aggregator unreachable\n")

        let ingest = try IngestStandIn.start(context: context, endpoint: endpoint)
        #expect(try await eventually { try await readyz().status == 200 })
        #expect(collector.sample("pixelpulse_collector_aggregator_up") == 1)

        await ingest.stop()
        #expect(try await eventually { try await readyz().status == 503 })
        #expect(collector.sample("pixelpulse_collector_aggregator_up") == 0)
        try await collector.stop()
    }

    @Test func hitsWaitForAnAggregatorThatStartsLate() async throws {
        let context = try Context()
        let endpoint = temporaryIPCEndpoint()
        let collector = try await RunningCollector.start(ingest: endpoint, context: context) {
            $0.batchSize = 2
        }
        try await TestHTTPConnection.with(port: collector.port) { connection in
            for index in 0..<5 { _ = try await connection.request("GET", "/p/late/p\(index).gif") }
        }
        let ingest = try IngestStandIn.start(context: context, endpoint: endpoint)
        let batches = await ingest.events(count: 5)
        #expect(batches.flatMap(\.hits).map(\.pixel.rawValue) == (0..<5).map { "p\($0)" })
        // Batches of at most two, numbered on from 1000 (a slow machine may seal one early,
        // after its batch delay, so the count of batches is not fixed).
        #expect(batches.allSatisfy { $0.count <= 2 })
        #expect(batches.map(\.sequence) == (0..<batches.count).map { 1000 + UInt64($0) })
        try await collector.stop()
        #expect(collector.sample("pixelpulse_collector_dropped_total", #"reason="shutdown""#) == 0)
        await ingest.stop()
    }

    /// An aggregator that went away without acknowledging: the batch goes again to the one
    /// that takes its place, under the same sequence number.
    @Test func unacknowledgedBatchesAreSentAgainAfterAReconnect() async throws {
        let context = try Context()
        let endpoint = temporaryIPCEndpoint()
        let silent = try IngestStandIn.start(context: context, endpoint: endpoint, acknowledge: false)
        let collector = try await RunningCollector.start(ingest: endpoint, context: context) {
            $0.batchSize = 3
            $0.ackTimeout = .seconds(60)
        }
        try await TestHTTPConnection.with(port: collector.port) { connection in
            for index in 0..<3 { _ = try await connection.request("GET", "/p/resend/p\(index).gif") }
        }
        let lost = await silent.events(count: 3)
        await silent.stop()
        let ingest = try IngestStandIn.start(context: context, endpoint: endpoint)
        let again = await ingest.events(count: 3)
        #expect(again.map(\.sequence) == lost.map(\.sequence))
        #expect(again.flatMap(\.hits) == lost.flatMap(\.hits))
        try await collector.stop()
        #expect(collector.sample("pixelpulse_collector_batches_resent_total") == lost.count)
        #expect(collector.sample("pixelpulse_collector_unacked_batches") == 0)
        await ingest.stop()
    }

    /// An aggregator that stays connected but never acknowledges gets the batch again once
    /// its ack is overdue.
    @Test func anOverdueAckMakesTheBatchGoAgain() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context, acknowledge: false)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context) {
            $0.batchSize = 1
            $0.ackTimeout = .milliseconds(200)
        }
        try await TestHTTPConnection.with(port: collector.port) { connection in
            _ = try await connection.request("GET", "/p/resend/once.gif")
        }
        let twice = await ingest.events(count: 2)
        #expect(twice.count == 2)
        #expect(Set(twice.map(\.sequence)).count == 1)
        try await collector.stop()
        await ingest.stop()
    }

    @Test func aFullQueueDropsNewHitsAndCountsThem() async throws {
        let context = try Context()
        let collector = try await RunningCollector.start(ingest: temporaryIPCEndpoint(), context: context) {
            $0.batchSize = 1
            $0.queueLimit = 3
            $0.shutdownTimeout = .milliseconds(100)
        }
        try await TestHTTPConnection.with(port: collector.port) { connection in
            for index in 0..<10 {
                let response = try await connection.request("GET", "/p/c/p\(index).gif")
                #expect(response.status == 200)  // the page still gets its image
            }
        }
        #expect(collector.sample("pixelpulse_collector_hits_total", #"kind="view""#) == 3)
        #expect(collector.sample("pixelpulse_collector_dropped_total", #"reason="queue_full""#) == 7)
        try await collector.stop()
        // Nobody ever acknowledged the three queued hits.
        #expect(collector.sample("pixelpulse_collector_dropped_total", #"reason="shutdown""#) == 3)
    }

    /// More batches waiting for acks than the bound: the oldest are given up, and counted.
    @Test func tooManyUnacknowledgedBatchesAreGivenUpAndCounted() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context, acknowledge: false)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context) {
            $0.batchSize = 1
            $0.queueLimit = 2
            $0.ackTimeout = .seconds(60)
            $0.shutdownTimeout = .milliseconds(100)
        }
        var sent: Set<UInt64> = []
        try await TestHTTPConnection.with(port: collector.port) { connection in
            for index in 0..<5 {
                _ = try await connection.request("GET", "/p/c/p\(index).gif")
                // Each batch reaches the stand-in before the next hit, so none waits in the
                // small queue, however slowly the forwarder is scheduled (a batch sent again
                // when the link came up counts once).
                while sent.count < index + 1, let batch = await ingest.batches.next(timeout: .seconds(10)) {
                    sent.insert(batch.sequence)
                }
            }
        }
        #expect(sent.count == 5)
        #expect(collector.sample("pixelpulse_collector_dropped_total", #"reason="queue_full""#) == 0)
        #expect(collector.sample("pixelpulse_collector_dropped_total", #"reason="unacked_overflow""#) == 3)
        #expect(collector.sample("pixelpulse_collector_unacked_batches") == 2)
        try await collector.stop()
        await ingest.stop()
    }

    /// The last, unfilled batch is sent and acknowledged before `run()` returns, when the
    /// collector runs in a service group that is shut down gracefully.
    @Test func gracefulShutdownFlushesTheLastBatch() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        var configuration = CollectorConfiguration(ingestEndpoint: ingest.endpoint, collectorID: "test-edge")
        configuration.port = 0
        configuration.eventLoopThreads = 1
        configuration.batchSize = 1000
        configuration.batchDelay = .seconds(30)
        let registry = PrometheusCollectorRegistry()
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let collector = Collector(configuration: configuration, zmqContext: context, registry: registry, logger: logger)
        let group = ServiceGroup(services: [collector], logger: logger)

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try await collector.listeningPort
            try await TestHTTPConnection.with(port: port) { connection in
                for index in 0..<3 { _ = try await connection.request("GET", "/p/c/last\(index).gif") }
            }
            #expect(ingest.batches.drain().isEmpty)  // still in the open batch
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let batches = ingest.batches.drain()
        #expect(batches.map(\.count) == [3])
        let acks = RunningCollector.sample(in: registry.emitToString(), "pixelpulse_collector_batch_acks_total", #"status="accepted""#)
        #expect(acks == 1)
        await ingest.stop()
    }

    private static func nowMilliseconds() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1000)
    }
}
