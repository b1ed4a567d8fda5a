import PixelAggregator
import PixelCore
import PixelPulseClient
import PixelPulseTesting
import Testing
import ZeroMQ

@Suite(.serialized) struct FeedClientTests {
    static func views(_ state: FeedState, _ topic: String) -> UInt64? { state.stats[topic]?.windows["1h"]?.views }

    @Test func aLateClientSeesTheExactTotalsAtOnceThenTheNextHits() async throws {
        let context = try Context()
        let live = try await LiveAggregator.start(context: context)
        try await send(viewBatches(10_000, campaign: "c1", pixels: 40, firstSequence: 1)
                       + viewBatches(3_000, campaign: "c10", pixels: 5, firstSequence: 100),
                       to: live.endpoints.ingest, context: context)
        let client = FeedClient(feed: live.endpoints.feed, snapshot: live.endpoints.snapshot, context: context)
        var iterator = client.updates(prefix: "stats/c1/").makeAsyncIterator()
        let initial = try #require(try await iterator.next())
        #expect(initial.event == .snapshot)
        #expect(initial.serial == 1)
        #expect(initial.stats.count == 41, "40 pixels and the rollup, never c10")
        #expect(Self.views(initial, "stats/c1/*/") == 10_000)
        #expect(Self.views(initial, "stats/c1/p7/") == 250)
        #expect(initial.startedAt == live.aggregator.startedAt)

        try await send(viewBatches(40, campaign: "c1", pixels: 40, firstSequence: 200), to: live.endpoints.ingest, context: context)
        // One tick's messages may arrive over several states; wait for all of them.
        var state = initial
        while !(Self.views(state, "stats/c1/*/") == 10_040
                && state.stats.values.allSatisfy { $0.pixel == nil || $0.windows["1h"]?.views == 251 }) {
            let previous = state.serial
            state = try #require(try await iterator.next())
            #expect(state.serial == previous + 1, "a reading consumer skips no state")
            if case .update(let topics) = state.event { #expect(topics.allSatisfy { $0.hasPrefix("stats/c1/") }) }
            #expect(state.stats.values.allSatisfy { ($0.windows["1h"]?.views ?? 0) >= ($0.pixel == nil ? 10_000 : 250) })
        }
        #expect(state.stats.count == 41)
        #expect(state.seq > initial.seq)
        try await live.stop()
    }

    @Test func aRestartedAggregatorIsDetectedAndTheClientResyncs() async throws {
        let context = try Context()
        let first = try await LiveAggregator.start(LiveAggregator.configuration(.ipc()), context: context)
        try await send(viewBatches(1_000, campaign: "c1", pixels: 4, firstSequence: 1), to: first.endpoints.ingest, context: context)
        // A long silence timeout: on a busy machine the restart may take longer than the
        // default's 3 s, and only the new run's heartbeat is to tell of it here.
        let client = FeedClient(feed: first.endpoints.feed, snapshot: first.endpoints.snapshot, context: context,
                                silenceTimeout: .seconds(60))
        let stream = client.updates(prefix: "stats/c1/")
        var iterator = stream.makeAsyncIterator()
        let initial = try #require(try await iterator.next())
        #expect(Self.views(initial, "stats/c1/*/") == 1_000)

        try await first.stop()
        let second = try await LiveAggregator.start(LiveAggregator.configuration(first.endpoints), context: context)
        try await send(viewBatches(12, campaign: "c1", pixels: 3, firstSequence: 1), to: second.endpoints.ingest, context: context)
        var state = initial
        repeat {
            state = try #require(try await iterator.next())
        } while state.event != .resynced(.restarted) && state.event != .resynced(.silence)
        #expect(state.event == .resynced(.restarted))
        #expect(state.startedAt == second.aggregator.startedAt)
        // The resync may have read the new run before its 12 views were counted: they come
        // as updates then. The new run's state only: nothing of the first run's 1 000 views.
        #expect((Self.views(state, "stats/c1/*/") ?? 0) <= 12)
        while Self.views(state, "stats/c1/*/") != 12 {
            state = try #require(try await iterator.next())
        }
        #expect(state.stats["stats/c1/p3/"] == nil)
        #expect(Self.views(state, "stats/c1/p0/") == 4)
        try await second.stop()
    }

    @Test func silenceIsDetectedAndTheStateComesBackWithTheAggregator() async throws {
        let context = try Context()
        let first = try await LiveAggregator.start(LiveAggregator.configuration(.ipc()), context: context)
        let client = FeedClient(feed: first.endpoints.feed, snapshot: first.endpoints.snapshot, context: context,
                                silenceTimeout: .milliseconds(1500))
        var iterator = client.updates().makeAsyncIterator()
        #expect(try await iterator.next()?.event == .snapshot)
        try await first.stop()
        // Nothing arrives: the client says so, then resyncs to the new run once it is up.
        while try #require(try await iterator.next()).event != .silent {}
        let second = try await LiveAggregator.start(LiveAggregator.configuration(first.endpoints), context: context)
        try await send(viewBatches(5, campaign: "c2", pixels: 1, firstSequence: 1), to: second.endpoints.ingest, context: context)
        var state: FeedState
        repeat {
            state = try #require(try await iterator.next())
        } while !(state.startedAt == second.aggregator.startedAt && Self.views(state, "stats/c2/*/") == 5)
        #expect(state.stats.count == 2)
        try await second.stop()
    }

    @Test func anOverlongPrefixEndsTheStreamWithAnError() async throws {
        let client = FeedClient(feed: "tcp://127.0.0.1:1", snapshot: "tcp://127.0.0.1:1", context: try Context())
        await #expect(throws: FeedClientError.prefixTooLong) {
            for try await _ in client.updates(prefix: String(repeating: "a", count: 300)) {}
        }
    }
}
