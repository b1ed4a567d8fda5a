import PixelAggregator
import PixelCore
import PixelPulseClient
import PixelPulseTesting
import Testing
import ZeroMQ

@Suite(.serialized) struct SeriesRequestClientTests {
    @Test func aClientGetsTheSeriesOfEveryMatchingKeyAcrossChunks() async throws {
        let context = try Context()
        let live = try await LiveAggregator.start(context: context)
        try await send(viewBatches(6_000, campaign: "c1", pixels: 2_500, firstSequence: 1)
                       + viewBatches(1_000, campaign: "c10", pixels: 5, firstSequence: 100),
                       to: live.endpoints.ingest, context: context)
        let client = FeedClient(feed: live.endpoints.feed, snapshot: live.endpoints.snapshot, context: context)
        // The bound is not under test: a debug build on a busy machine takes its time over 2 501 keys.
        let series = try await client.series(prefix: "stats/c1/", timeout: .seconds(120))
        #expect(series.count == 2_501, "more keys than one chunk, every one once")
        #expect(Set(series.map(\.pixel)).count == 2_501)
        #expect(series.allSatisfy { $0.campaign == "c1" && $0.window == "1h" && $0.count == 60 })
        let rollup = try #require(series.first { $0.pixel == nil })
        #expect(rollup.views.reduce(0, +) == 6_000)
        #expect(series.filter { $0.pixel != nil }.map { $0.views.reduce(0, +) }.reduce(0, +) == 6_000)
        let minute = try await SeriesRequest(snapshot: live.endpoints.snapshot, context: context)
            .series(prefix: "stats/c10/*/", window: "1m", timeout: .seconds(120))
        #expect(minute.count == 1)
        #expect(minute.first?.step == 1000)
        #expect(minute.first?.views.reduce(0, +) == 1_000)
        try await live.stop()
    }

    @Test func anUnknownWindowIsRefusedWithTheWindowsKept() async throws {
        let context = try Context()
        let live = try await LiveAggregator.start(context: context)
        let client = FeedClient(feed: live.endpoints.feed, snapshot: live.endpoints.snapshot, context: context)
        await #expect(throws: FeedClientError.seriesRefused("unknown window \"2h\"; windows kept: 1m, 5m, 15m, 1h")) {
            try await client.series(prefix: "stats/", window: "2h", timeout: .seconds(60))
        }
        await #expect(throws: FeedClientError.prefixTooLong) {
            try await client.series(prefix: String(repeating: "x", count: 257))
        }
        try await live.stop()
    }

    @Test func anEndpointThatNeverAnswersTimesOut() async throws {
        let context = try Context()
        let silent = try context.socket(.router)
        defer { silent.close() }
        try silent.bind("tcp://127.0.0.1:*")
        let endpoint = try silent.lastEndpoint
        let request = SeriesRequest(snapshot: endpoint, context: context)
        let started = ContinuousClock.now
        await #expect(throws: FeedClientError.seriesTimedOut(.milliseconds(300))) {
            try await request.series(prefix: "stats/", timeout: .milliseconds(300))
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func withCurveOnlyAListedSubscriberGetsTheSeries() async throws {
        try #require(LibZMQ.has("curve"))
        let server = try CurveKeyPair.generate()
        let dashboard = try CurveKeyPair.generate()
        let stranger = try CurveKeyPair.generate()
        var configuration = LiveAggregator.configuration()
        configuration.security = TransportSecurity(
            keyPair: server, allowlists: .init(collectors: [:], subscribers: [dashboard.publicKey: "dashboard"]))
        let context = try Context()
        let live = try await LiveAggregator.start(configuration, context: context)
        var batch = EventBatch(collector: "edge-1", sequence: 1)
        for _ in 0..<5 { batch.append(HitEvent(time: Aggregator.wallClock(), kind: .view, campaign: "paid", pixel: "p")) }
        await live.aggregator.ingest([batch])
        let listed = FeedClient(feed: live.endpoints.feed, snapshot: live.endpoints.snapshot, context: context,
                                curve: CurveClientCredentials(keyPair: dashboard, serverKey: server.publicKey))
        let series = try await listed.series(prefix: "stats/paid/*/", timeout: .seconds(60))
        #expect(series.map { $0.views.reduce(0, +) } == [5])
        let unlisted = SeriesRequest(snapshot: live.endpoints.snapshot, context: context,
                                     curve: CurveClientCredentials(keyPair: stranger, serverKey: server.publicKey))
        await #expect(throws: FeedClientError.seriesTimedOut(.milliseconds(500))) {
            try await unlisted.series(prefix: "stats/", timeout: .milliseconds(500))
        }
        try await live.stop()
    }
}
