import Foundation
import PixelAggregator
import PixelCore
import Testing

@Suite struct AggregatorTests {
    static func batch(_ hits: [HitEvent], sequence: UInt64 = 1) -> EventBatch {
        var batch = EventBatch(collector: "edge-1", sequence: sequence)
        for hit in hits { batch.append(hit) }
        return batch
    }

    static func body(_ message: FeedMessage) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any])
    }

    @Test func countsPixelsAndRollupsPerWindow() async throws {
        let clock = TestClock()
        let aggregator = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
        let t = clock.now
        await aggregator.ingest([Self.batch([
            HitEvent(time: t, kind: .view, campaign: "c1", pixel: "p1", visitor: 11),
            HitEvent(time: t, kind: .view, campaign: "c1", pixel: "p1", visitor: 11),
            HitEvent(time: t, kind: .click, campaign: "c1", pixel: "p1", visitor: 12),
            HitEvent(time: t, kind: .view, campaign: "c1", pixel: "p2", visitor: 13),
            HitEvent(time: t, kind: .conversion, campaign: "c1", pixel: "p2", value: 1250),
        ])])
        // Unique visitors are counted per campaign, not per pixel.
        #expect(await aggregator.counts(campaign: "c1", pixel: "p1")?[0] == Counts(views: 2, clicks: 1))
        #expect(await aggregator.counts(campaign: "c1", pixel: "p2")?[3] == Counts(views: 1, conversions: 1, value: 1250))
        #expect(await aggregator.counts(campaign: "c1")?[1] == Counts(views: 3, clicks: 1, conversions: 1, value: 1250, uniques: 3))
        #expect(await aggregator.counts(campaign: "c2") == nil)
        clock.advance(by: 61_000)
        #expect(await aggregator.counts(campaign: "c1")?[0] == Counts(uniques: 0))
        #expect(await aggregator.counts(campaign: "c1")?[1].views == 3)
    }

    @Test func publishesWhatChangedWithIncreasingSeq() async throws {
        let clock = TestClock()
        var configuration = AggregatorConfiguration()
        configuration.segments = false  // their messages have tests of their own (SegmentsTests)
        let aggregator = Aggregator(configuration: configuration, clock: clock.function)
        await aggregator.ingest([Self.batch([HitEvent(time: clock.now, kind: .view, campaign: "c1", pixel: "p1")])])
        let first = await aggregator.changes()
        #expect(Set(first.map(\.topic)) == ["stats/c1/p1/", "stats/c1/*/"])
        let pixel = try Self.body(try #require(first.first { $0.topic == "stats/c1/p1/" }))
        #expect(pixel["campaign"] as? String == "c1")
        #expect(pixel["pixel"] as? String == "p1")
        let windows = try #require(pixel["windows"] as? [String: [String: Any]])
        #expect(Set(windows.keys) == ["1m", "5m", "15m", "1h"])
        #expect(windows["1m"]?["views"] as? Int == 1)
        #expect(windows["1m"]?["ctr"] as? Double == 0)
        #expect(windows["1m"]?["cvr"] is NSNull)
        let rollup = try Self.body(try #require(first.first { $0.topic == "stats/c1/*/" }))
        #expect(rollup["pixel"] is NSNull)

        // Nothing new within the same second: nothing to publish.
        #expect(await aggregator.changes().isEmpty)
        // A minute later the 1m window has emptied: published once, with zeros.
        clock.advance(by: 60_000)
        let slid = await aggregator.changes()
        #expect(slid.count == 2)
        let heartbeat = try Self.body(await aggregator.heartbeat())
        let seqs = try (first + slid).map { try Self.body($0)["seq"] as? Int ?? 0 }
        #expect(seqs == Array(1...4))
        #expect(heartbeat["seq"] as? Int == 5)
        #expect(heartbeat["activeKeys"] as? Int == 2)
        #expect(heartbeat["events"] as? Int == 1)
    }

    @Test func deduplicatesEventIDsAndCountsRefusals() async {
        let clock = TestClock()
        let aggregator = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
        let t = clock.now
        let order = EventID(text: "order-77")
        await aggregator.ingest([Self.batch([
            HitEvent(time: t, kind: .conversion, campaign: "c1", pixel: "p1", value: 500, eventID: order),
            HitEvent(time: t, kind: .conversion, campaign: "c1", pixel: "p1", value: 500, eventID: order),
            HitEvent(time: t, kind: .conversion, campaign: "c2", pixel: "p1", value: 500, eventID: order),
            HitEvent(time: t + 60_000, kind: .view, campaign: "c1", pixel: "p1"),
            HitEvent(time: t - 4_000_000, kind: .view, campaign: "c1", pixel: "p1"),
        ])])
        let statistics = await aggregator.statistics
        #expect(statistics.events == 2)
        #expect(statistics.duplicates == 1)
        #expect(statistics.tooFarInFuture == 1)
        #expect(statistics.tooLate == 1)
        #expect(await aggregator.counts(campaign: "c1", pixel: "p1")?[0] == Counts(conversions: 1, value: 500))
    }

    /// An event id is remembered per campaign for 48 hours by default, then forgotten; the
    /// heartbeat says how many are remembered.
    @Test func eventIDsAreRememberedFor48Hours() async throws {
        let clock = TestClock()
        let aggregator = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
        var sequence: UInt64 = 0
        func fates(_ campaigns: [CampaignID]) async -> [EventFate]? {
            sequence += 1
            var batch = Self.batch(campaigns.map {
                HitEvent(time: clock.now, kind: .conversion, campaign: $0, pixel: "thanks", eventID: EventID(text: "order-9"))
            }, sequence: sequence)
            batch.reportsFates = true
            return await aggregator.ingest([batch]).first?.fates
        }
        #expect(await fates(["c1", "c2"]) == [.counted, .counted])
        clock.advance(by: 48 * 3_600_000)
        #expect(await fates(["c1"]) == [.duplicate])
        let heartbeat = try Self.body(await aggregator.heartbeat())
        #expect(heartbeat["eventIDsRemembered"] as? Int == 2)
        #expect(heartbeat["eventIDsForgotten"] as? Int == 0)
        clock.advance(by: 60_000)
        #expect(try Self.body(await aggregator.heartbeat())["eventIDsRemembered"] as? Int == 0)
        #expect(await fates(["c1", "c2"]) == [.counted, .counted])
    }

    /// Beyond the limit, the oldest ids are forgotten early, and counted.
    @Test func theEventIDLimitForgetsTheOldestAndCountsThem() async throws {
        let clock = TestClock()
        let aggregator = Aggregator(configuration: AggregatorConfiguration(eventIDLimit: 1000), clock: clock.function)
        for minute in 0..<11 {
            let hits = (0..<100).map {
                HitEvent(time: clock.now, kind: .view, campaign: "c1", pixel: "p1", eventID: EventID(text: "view-\(minute)-\($0)"))
            }
            await aggregator.ingest([Self.batch(hits, sequence: UInt64(minute + 1))])
            clock.advance(by: 60_000)
        }
        let statistics = await aggregator.statistics
        #expect(statistics.events == 1100 && statistics.eventIDsForgotten == 200)
        let heartbeat = try Self.body(await aggregator.heartbeat())
        #expect(heartbeat["eventIDsRemembered"] as? Int == 900)
        #expect(heartbeat["eventIDsForgotten"] as? Int == 200)
    }

    /// An event refused for its time leaves no mark: the same id, in time, counts.
    @Test func anEventRefusedForItsTimeDoesNotUseUpItsID() async {
        let clock = TestClock()
        let aggregator = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
        let order = EventID(text: "order-78")
        var batch = Self.batch([
            HitEvent(time: clock.now + 60_000, kind: .conversion, campaign: "c1", pixel: "p1", value: 500, eventID: order),
            HitEvent(time: clock.now, kind: .conversion, campaign: "c1", pixel: "p1", value: 500, eventID: order),
            HitEvent(time: clock.now, kind: .conversion, campaign: "c1", pixel: "p1", value: 500, eventID: order),
        ])
        batch.reportsFates = true
        #expect(await aggregator.ingest([batch]).first?.fates == [.tooFarInFuture, .counted, .duplicate])
        #expect(await aggregator.counts(campaign: "c1", pixel: "p1")?[0] == Counts(conversions: 1, value: 500))
    }

    @Test func aBatchSentTwiceCountsOnce() async {
        let clock = TestClock()
        let aggregator = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
        let batch = Self.batch([HitEvent(time: clock.now, kind: .view, campaign: "c1", pixel: "p1")], sequence: 7)
        var other = batch
        other.collector = "edge-2"
        #expect(await aggregator.ingest([batch, batch, other]).map(\.status) == [.accepted, .duplicate, .accepted])
        #expect(await aggregator.ingest([batch]).map(\.status) == [.duplicate])
        #expect(await aggregator.counts(campaign: "c1", pixel: "p1")?[0].views == 2)
        #expect(await aggregator.statistics.duplicateBatches == 2)
    }

    @Test func topicsArePrefixSafe() {
        let c1 = FeedTopic.stats(campaign: "c1")
        #expect(!FeedTopic.stats(campaign: "c10", pixel: "p1").hasPrefix(c1))
        #expect(FeedTopic.stats(campaign: "c1", pixel: "p1").hasPrefix(c1))
        #expect(FeedTopic.stats(campaign: "c1", pixel: nil).hasPrefix(c1))
        #expect(!FeedTopic.stats(campaign: "c1", pixel: "p10").hasPrefix(FeedTopic.stats(campaign: "c1", pixel: "p1")))
    }
}
