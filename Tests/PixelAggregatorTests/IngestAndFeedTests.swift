import Foundation
import PixelAggregator
import PixelCore
import PixelPulseTesting
import Testing
import ZeroMQ

@Suite(.serialized) struct IngestAndFeedTests {
    struct Stats: Equatable {
        var views = 0, clicks = 0, conversions = 0, value = 0
    }

    /// The last published 1h window per topic.
    static func latest(_ messages: [FeedMessage]) -> [String: Stats] {
        var latest: [String: (seq: Int, stats: Stats)] = [:]
        for message in messages where message.topic.hasPrefix(FeedTopic.statsPrefix) {
            guard let body = try? JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any],
                  let seq = body["seq"] as? Int,
                  let hour = (body["windows"] as? [String: [String: Any]])?["1h"] else { continue }
            let stats = Stats(views: hour["views"] as? Int ?? -1, clicks: hour["clicks"] as? Int ?? -1,
                              conversions: hour["conversions"] as? Int ?? -1, value: hour["value"] as? Int ?? -1)
            if seq > latest[message.topic]?.seq ?? 0 { latest[message.topic] = (seq, stats) }
        }
        return latest.mapValues(\.stats)
    }

    @Test func batchesAreAcknowledgedCountedAndPublished() async throws {
        try await LiveAggregator.with { fixture in
            let now = Aggregator.wallClock()
            var first = EventBatch(collector: "edge-1", sequence: 10)
            var second = EventBatch(collector: "edge-1", sequence: 11)
            for i in 0..<300 {
                let hit = HitEvent(time: now, kind: i % 10 == 0 ? .click : .view,
                                   campaign: i % 3 == 0 ? "c1" : "c2", pixel: PixelID(unchecked: "p\(i % 4)"))
                if i < 150 { first.append(hit) } else { second.append(hit) }
            }
            second.append(HitEvent(time: now, kind: .conversion, campaign: "c1", pixel: "p0", value: 999))
            let (acks, messages) = try await onSocketThread { [first, second] in
                let subscriber = try TestSubscriber(context: fixture.context, endpoint: fixture.endpoints.feed, prefixes: ["stats/"])
                let acks = try sendAndAwaitAcks([first.encoded(), second.encoded(), Array("garbage".utf8), first.encoded()],
                                         to: fixture.endpoints.ingest, context: fixture.context)
                let messages = try subscriber.collect { Self.latest($0)["stats/c1/*/"]?.conversions == 1 && Self.latest($0).count == 10 }
                return (acks, messages)
            }
            #expect(acks == [IngestAck(sequence: 10, status: .accepted), IngestAck(sequence: 11, status: .accepted),
                             IngestAck(sequence: 0, status: .rejected), IngestAck(sequence: 10, status: .duplicate)])
            var expected: [String: Stats] = [:]
            for i in 0..<300 {
                let campaign = i % 3 == 0 ? "c1" : "c2"
                for topic in ["stats/\(campaign)/p\(i % 4)/", "stats/\(campaign)/*/"] {
                    if i % 10 == 0 { expected[topic, default: Stats()].clicks += 1 } else { expected[topic, default: Stats()].views += 1 }
                }
            }
            expected["stats/c1/p0/"]!.conversions = 1
            expected["stats/c1/p0/"]!.value = 999
            expected["stats/c1/*/"]!.conversions = 1
            expected["stats/c1/*/"]!.value = 999
            #expect(Self.latest(messages) == expected)
            let statistics = await fixture.aggregator.statistics
            #expect(statistics.events == 301)
            #expect(statistics.rejectedBatches == ["bad_magic": 1])
        }
    }

    /// A batch that asks is told what became of each of its events, in order; a resend of
    /// it is a duplicate batch, without fates; a batch that does not ask gets a version-1 ack.
    @Test func eachEventsFateComesBackWhenTheBatchAsks() async throws {
        try await LiveAggregator.with { fixture in
            let now = Aggregator.wallClock()
            let order = EventID(text: "order-1")
            var asking = EventBatch(collector: "edge-1", sequence: 1, reportsFates: true)
            for hit in [
                HitEvent(time: now, kind: .conversion, campaign: "c1", pixel: "thanks", value: 4999, eventID: order),
                HitEvent(time: now, kind: .conversion, campaign: "c1", pixel: "thanks", value: 4999, eventID: order),
                HitEvent(time: now, kind: .conversion, campaign: "c2", pixel: "thanks", value: 4999, eventID: order),
                HitEvent(time: now - 2 * 3_600_000, kind: .view, campaign: "c1", pixel: "hero"),
                HitEvent(time: now + 60_000, kind: .view, campaign: "c1", pixel: "hero"),
                HitEvent(time: now, kind: .bot, campaign: "c1", pixel: "hero"),
            ] { asking.append(hit) }
            var silent = EventBatch(collector: "edge-1", sequence: 2)
            silent.append(HitEvent(time: now, kind: .view, campaign: "c1", pixel: "hero"))
            let acks = try await onSocketThread { [asking, silent] in
                try sendAndAwaitAcks([asking.encoded(), asking.encoded(), silent.encoded()],
                                     to: fixture.endpoints.ingest, context: fixture.context)
            }
            #expect(acks == [
                IngestAck(sequence: 1, status: .accepted, fates: [.counted, .duplicate, .counted, .tooLate, .tooFarInFuture, .counted]),
                IngestAck(sequence: 1, status: .duplicate),
                IngestAck(sequence: 2, status: .accepted),
            ])
            let statistics = await fixture.aggregator.statistics
            #expect(statistics.events == 4)
            #expect(statistics.duplicates == 1 && statistics.tooLate == 1 && statistics.tooFarInFuture == 1)
            #expect(await fixture.aggregator.counts(campaign: "c1", pixel: "hero")?[0] == Counts(views: 1, bots: 1))
        }
    }

    @Test func aSubscriberOfOneCampaignNeverSeesAnotherThatSharesItsPrefix() async throws {
        try await LiveAggregator.with { fixture in
            let now = Aggregator.wallClock()
            var batch = EventBatch(collector: "edge-1", sequence: 1)
            for campaign in ["c10", "c1", "c100"] {
                batch.append(HitEvent(time: now, kind: .view, campaign: CampaignID(unchecked: campaign), pixel: "p1"))
            }
            let topics = try await onSocketThread { [batch] in
                let subscriber = try TestSubscriber(context: fixture.context, endpoint: fixture.endpoints.feed,
                                                    prefixes: [FeedTopic.stats(campaign: "c1")])
                _ = try sendAndAwaitAcks([batch.encoded()], to: fixture.endpoints.ingest, context: fixture.context)
                // Wait for the c1 updates, then one more heartbeat so anything else would have arrived too.
                var messages = try subscriber.collect { Self.latest($0).count == 2 }
                messages += try subscriber.collect { $0.contains { $0.topic == FeedTopic.heartbeat } }
                return Set(messages.map(\.topic))
            }
            #expect(topics == ["stats/c1/p1/", "stats/c1/*/", FeedTopic.heartbeat])
        }
    }

    @Test func garbageOnTheIngestSocketIsRejectedAndCountedAndNothingElseChanges() async throws {
        try await LiveAggregator.with { fixture in
            var valid = EventBatch(collector: "edge-1", sequence: 5).encoded()
            valid[4] = 9  // unknown version
            var truncated = EventBatch(collector: "edge-1", sequence: 6).encoded()
            truncated.removeLast()
            let acks = try await onSocketThread { [valid, truncated] in
                try sendAndAwaitAcks([[], Array(repeating: 0xFF, count: 70_000), valid, truncated],
                              to: fixture.endpoints.ingest, context: fixture.context)
            }
            #expect(acks.allSatisfy { $0?.status == .rejected })
            let statistics = await fixture.aggregator.statistics
            #expect(statistics.rejectedBatches == ["truncated": 2, "bad_magic": 1, "unsupported_version": 1])
            #expect(statistics.events == 0)
            // The aggregator still serves.
            let ok = try await onSocketThread {
                try sendAndAwaitAcks([EventBatch(collector: "edge-1", sequence: 7).encoded()], to: fixture.endpoints.ingest, context: fixture.context)
            }
            #expect(ok == [IngestAck(sequence: 7, status: .accepted)])
        }
    }

    @Test func heartbeatsKeepComingWithIncreasingSeq() async throws {
        try await LiveAggregator.with { fixture in
            let gaps = try await onSocketThread {
                let subscriber = try TestSubscriber(context: fixture.context, endpoint: fixture.endpoints.feed, prefixes: [])
                var beats: [(seq: Int, time: Int, published: Int)] = []
                while beats.count < 3 {
                    let message = try subscriber.receive()
                    let body = try JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any]
                    if let seq = body?["seq"] as? Int, let time = body?["time"] as? Int, let published = body?["published"] as? Int {
                        beats.append((seq, time, published))
                    }
                }
                return zip(beats, beats.dropFirst()).map { ($1.seq - $0.seq, $1.time - $0.time, $1.published - $0.published) }
            }
            // One a second by design; the bound here only proves they keep coming. Each
            // heartbeat was itself published after the one before was counted.
            #expect(gaps.allSatisfy { $0.0 > 0 && $0.1 > 0 && $0.1 < 5000 && $0.2 >= 1 })
        }
    }
}
