import Foundation
@testable import PixelAggregator
import PixelCore
import PixelPulseTesting
import Synchronization
import Testing
import ZeroMQ

/// Changes reach the feed as soon as they are counted, each key at most once per tick;
/// pixel keys are conflated over more ticks when the feed costs too much; stats no one
/// subscribes to are never encoded.
@Suite struct PublishOnCountTests {
    /// What an aggregator hands its feed, in order.
    final class Published: Sendable {
        private let items = Mutex<[FeedItem]>([])
        var publish: @Sendable ([FeedItem]) -> Void { { batch in self.items.withLock { $0 += batch } } }

        /// The stats published since the last call: topic → 1m views.
        func takeStats() -> [String: UInt64] {
            let taken = items.withLock { items in
                defer { items.removeAll() }
                return items
            }
            var views: [String: UInt64] = [:]
            for case .stats(let update) in taken { views[update.topic] = update.counts[0].views }
            return views
        }
    }

    static func batch(_ hits: [HitEvent], sequence: UInt64) -> EventBatch {
        var batch = EventBatch(collector: "edge-1", sequence: sequence)
        for hit in hits { batch.append(hit) }
        return batch
    }

    @Test func aHitIsPublishedWhenCountedAndAKeyAtMostOncePerTick() async throws {
        let clock = TestClock()
        let published = Published()
        let aggregator = Aggregator(configuration: AggregatorConfiguration(tickInterval: .milliseconds(250)),
                                    clock: clock.function, publish: published.publish)
        let hit = { HitEvent(time: clock.now, kind: .view, campaign: "c1", pixel: "p1") }
        await aggregator.ingest([Self.batch([hit()], sequence: 1)])
        #expect(published.takeStats() == ["stats/c1/p1/": 1, "stats/c1/*/": 1], "no tick needed")

        // 100 ms later both keys were published too recently: the hit waits for the tick.
        clock.advance(by: 100)
        await aggregator.ingest([Self.batch([hit()], sequence: 2)])
        await aggregator.publishChanges()
        #expect(published.takeStats().isEmpty)
        clock.advance(by: 149)
        await aggregator.publishChanges()
        #expect(published.takeStats().isEmpty)
        clock.advance(by: 1)
        await aggregator.publishChanges()
        #expect(published.takeStats() == ["stats/c1/p1/": 2, "stats/c1/*/": 2])

        // A snapshot first publishes everything pending, due or not.
        await aggregator.ingest([Self.batch([hit()], sequence: 3)])
        #expect(published.takeStats().isEmpty)
        let chunk = await aggregator.snapshot(prefix: "", from: 0, limit: 10)
        #expect(published.takeStats() == ["stats/c1/p1/": 3, "stats/c1/*/": 3])
        #expect(chunk.updates.map { $0.counts[0].views } == [3, 3])
    }

    @Test func conflatedPixelsWaitTheirTicksWhileRollupsKeepTheTick() {
        let now: Int64 = 1_790_000_000_000
        var configuration = AggregatorConfiguration(tickInterval: .milliseconds(250))
        configuration.segments = false  // published once per step, not per tick (SegmentsTests)
        var state = AggregatorState(configuration: configuration)
        func view(at time: Int64, sequence: UInt64) {
            var batch = EventBatch(collector: "edge-1", sequence: sequence)
            batch.append(HitEvent(time: time, kind: .view, campaign: "c1", pixel: "p1"))
            _ = state.ingest(batch, now: time)
        }
        func topics(at time: Int64) -> Set<String> {
            Set(state.changes(now: time, taking: .due, sweep: false, clocks: true).compactMap(\.unencodedTopic))
        }
        view(at: now, sequence: 1)
        #expect(topics(at: now) == ["stats/c1/p1/", "stats/c1/*/"])
        state.conflation.adapt(toShare: 0.3)
        #expect(state.conflation.ticks == 2)
        view(at: now + 10, sequence: 2)
        #expect(topics(at: now + 249).isEmpty)
        #expect(topics(at: now + 250) == ["stats/c1/*/"])
        #expect(topics(at: now + 499).isEmpty)
        #expect(topics(at: now + 500) == ["stats/c1/p1/"])
        // Taking everything ignores the intervals.
        view(at: now + 510, sequence: 3)
        #expect(Set(state.changes(now: now + 510, taking: .all, sweep: false, clocks: true).compactMap(\.unencodedTopic))
                == ["stats/c1/p1/", "stats/c1/*/"])
    }

    @Test func conflationDoublesOverAQuarterHalvesUnderATenthAndStaysBetween() {
        var conflation = PixelConflation()
        var seen: [Int64] = []
        for share in [0.3, 0.5, 0.9, 0.9, 0.2, 0.11, 0.09, 0.2, 0.0, 0.0, 0.0] {
            conflation.adapt(toShare: share)
            seen.append(conflation.ticks)
        }
        #expect(seen == [2, 4, 8, 8, 8, 8, 4, 4, 2, 1, 1])
        // A publisher thread that falls behind conflates too, whatever the share.
        conflation.adapt(toShare: 0, backlog: PixelConflation.backlogLimit + 1)
        #expect(conflation.ticks == 2)
        conflation.adapt(toShare: 0, backlog: PixelConflation.backlogLimit)
        #expect(conflation.ticks == 1)
    }

    @Test func aKeyWaitsOnTheWheelUntilItsIntervalHasPassedAndNoLonger() {
        var tracker = ChangeTracker(resolution: 50, longestInterval: 1600)
        tracker.grow(to: 3)
        let intervals: [Int64] = [200, 1600, 200]
        let t: Int64 = 1_000_000
        for key in 0..<3 { tracker.markDirty(key) }
        #expect(tracker.takeDue(now: t) { intervals[$0] }.sorted() == [0, 1, 2], "never published: due at once")
        for key in 0..<3 { _ = tracker.publish(key, counts: [Counts(views: 1)], now: t) }
        for key in 0..<3 { tracker.markDirty(key) }
        tracker.markDirty(0)
        #expect(tracker.takeDue(now: t + 1) { intervals[$0] }.isEmpty)
        #expect(tracker.pendingCount == 3)
        #expect(tracker.takeDue(now: t + 199) { intervals[$0] }.isEmpty)
        #expect(tracker.takeDue(now: t + 200) { intervals[$0] }.sorted() == [0, 2])
        #expect(tracker.takeDue(now: t + 1599) { intervals[$0] }.isEmpty)
        #expect(tracker.takeDue(now: t + 1600) { intervals[$0] } == [1])
        // After a long silence (the wheel has turned many times) nothing is lost.
        for key in 0..<3 { _ = tracker.publish(key, counts: [Counts(views: 2)], now: t + 1600) }
        for key in 0..<3 { tracker.markDirty(key) }
        #expect(tracker.takeDue(now: t + 1700) { intervals[$0] }.isEmpty)
        #expect(tracker.takeDue(now: t + 100_000) { intervals[$0] }.sorted() == [0, 1, 2])
        tracker.markDirty(1)
        #expect(tracker.takeAll() == [1])
        #expect(tracker.pendingCount == 0)
    }

    @Test func subscriptionsMatchPrefixesAsTheXPUBSocketReportsThem() {
        var subscriptions = FeedSubscriptions()
        #expect(!subscriptions.wants("stats/c1/*/"))
        subscriptions.apply([1] + Array("stats/c1/".utf8))
        #expect(subscriptions.wants("stats/c1/*/") && subscriptions.wants("stats/c1/p1/"))
        #expect(!subscriptions.wants("stats/c10/*/") && !subscriptions.wants("stats/"))
        subscriptions.apply([1])
        #expect(subscriptions.wants("stats/c10/*/"))
        subscriptions.apply([0])
        #expect(!subscriptions.wants("stats/c10/*/"))
        subscriptions.apply([0] + Array("stats/c1/".utf8))
        #expect(!subscriptions.wants("stats/c1/*/"))
        subscriptions.apply([7, 1, 2])
        #expect(!subscriptions.wants("stats/c1/*/"), "not a subscription message")
        // A dashboard's thousand rollups, and prefixes of other lengths beside them.
        for campaign in 0..<1000 { subscriptions.apply([1] + Array("stats/campaign-\(campaign)/*/".utf8)) }
        subscriptions.apply([1] + Array("alerts/".utf8))
        #expect(subscriptions.wants("stats/campaign-7/*/") && subscriptions.wants("stats/campaign-999/*/"))
        #expect(subscriptions.wants("alerts/c1/p1/"))
        #expect(!subscriptions.wants("stats/campaign-7/p1/") && !subscriptions.wants("stats/campaign-1000/*/"))
        #expect(!subscriptions.wants("stats/campaign-7/*"), "shorter than the prefix")
    }

    /// With an hour-long tick, only publishing on count can bring the hit.
    @Test func aLiveFeedBringsAHitWithoutWaitingForATick() async throws {
        var configuration = LiveAggregator.configuration()
        configuration.tickInterval = .seconds(3600)
        try await LiveAggregator.with(configuration) { fixture in
            let now = Aggregator.wallClock()
            let messages = try await onSocketThread {
                let subscriber = try TestSubscriber(context: fixture.context, endpoint: fixture.endpoints.feed, prefixes: ["stats/c1/"])
                var batch = EventBatch(collector: "edge-1", sequence: 1)
                batch.append(HitEvent(time: now, kind: .view, campaign: "c1", pixel: "p1"))
                _ = try sendAndAwaitAcks([batch.encoded()], to: fixture.endpoints.ingest, context: fixture.context)
                return try subscriber.collect { $0.contains { $0.topic == "stats/c1/*/" } }
            }
            let rollup = try #require(messages.first { $0.topic == "stats/c1/*/" })
            #expect(FeedStats(json: rollup.body)?.windows["1m"]?.views == 1)
        }
    }

    /// Stats whose topic no subscriber's prefix matches are counted, not encoded; the
    /// heartbeat tells how many, and what the pixel interval is.
    @Test func statsNoOneSubscribesToAreCountedInTheHeartbeatNotSent() async throws {
        var configuration = LiveAggregator.configuration()
        configuration.segments = false  // their breakdowns would be counted too, a step later
        try await LiveAggregator.with(configuration) { fixture in
            let now = Aggregator.wallClock()
            let (messages, heartbeat) = try await onSocketThread {
                let subscriber = try TestSubscriber(context: fixture.context, endpoint: fixture.endpoints.feed, prefixes: ["stats/c1/"])
                var batch = EventBatch(collector: "edge-1", sequence: 1)
                for campaign in ["c1", "c2", "c10"] {
                    batch.append(HitEvent(time: now, kind: .view, campaign: CampaignID(unchecked: campaign), pixel: "p1"))
                }
                _ = try sendAndAwaitAcks([batch.encoded()], to: fixture.endpoints.ingest, context: fixture.context)
                var heartbeat: FeedHeartbeat?
                let messages = try subscriber.collect { messages in
                    heartbeat = messages.last.flatMap { $0.topic == FeedTopic.heartbeat ? FeedHeartbeat(json: $0.body) : nil }
                    return (heartbeat?.unsubscribed ?? 0) >= 4
                }
                return (messages, heartbeat)
            }
            #expect(Set(messages.map(\.topic).filter { $0.hasPrefix("stats/") }) == ["stats/c1/p1/", "stats/c1/*/"])
            #expect(heartbeat?.unsubscribed == 4, "c2 and c10, pixel and rollup")
            #expect(heartbeat?.pixelInterval == 20)
            #expect(heartbeat?.feedShare != nil)
        }
    }
}
