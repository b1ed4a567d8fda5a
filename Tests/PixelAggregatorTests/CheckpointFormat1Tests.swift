import Foundation
import PixelAggregator
import PixelCore
import Testing

/// A checkpoint written by the release before: format 1, with four counters per window and
/// event ids in two generations. `Fixtures/checkpoint-v1.ckpt` holds 120 s of
/// ``CheckpointTests/traffic(second:sequence:at:)`` from the ``TestClock``'s start, taken at
/// its end by that release.
@Suite struct CheckpointFormat1Tests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/checkpoint-v1.ckpt")

    @Test func restoresIntoTheSameCountsAndGoesOn() async throws {
        let clock = TestClock()
        let counting = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
        var sequence: UInt64 = 0
        var sent: [EventBatch] = []
        for second in 0..<120 {
            let batches = CheckpointTests.traffic(second: second, sequence: &sequence, at: clock.now)
            await counting.ingest(batches)
            sent += batches
            clock.advance(by: 1000)
        }
        let bytes = try Data(contentsOf: Self.fixture)
        #expect(bytes[4] == 1)
        let checkpoint = try Checkpoint(fileBytes: bytes)
        #expect(checkpoint.time == clock.now)
        let restored = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
        try await restored.restore(checkpoint)
        let counts = await CheckpointTests.allCounts(restored)
        #expect(counts == (await CheckpointTests.allCounts(counting)))
        // As the release before counted them (its 1m and 1h windows of one campaign).
        #expect(counts["spring"]?[0] == Counts(views: 180, clicks: 191, conversions: 99, value: 471_262, uniques: 425))
        #expect(counts["spring"]?[3] == Counts(views: 386, clicks: 393, conversions: 271, value: 1_330_695, uniques: 873))

        // The de-duplication marks came along: a batch, and an event id, seen before.
        #expect(await restored.ingest([sent[sent.count - 3]]).map(\.status) == [.duplicate])
        let seen = try #require(sent.last { $0.events.contains { $0.presence.contains(.eventID) } })
        var again = EventBatch(collector: "edge-3", sequence: 1, reportsFates: true)
        var hit = seen.hit(at: seen.events.lastIndex { $0.presence.contains(.eventID) }!)
        hit.time = clock.now
        again.append(hit)
        #expect(await restored.ingest([again]).first?.fates == [.duplicate])
        #expect(await counting.ingest([again]).first?.fates == [.duplicate])

        // Both go on alike, bots included, as the windows slide past what was restored.
        for second in 120..<(120 + 900) {
            var batches = CheckpointTests.traffic(second: second, sequence: &sequence, at: clock.now)
            batches[0].append(HitEvent(time: clock.now, kind: .bot, campaign: "spring", pixel: "hero", visitor: 1))
            #expect(await restored.ingest(batches) == (await counting.ingest(batches)))
            clock.advance(by: 1000)
        }
        let later = await CheckpointTests.allCounts(restored)
        #expect(later == (await CheckpointTests.allCounts(counting)))
        #expect(later["spring/hero"]?[0].bots == 59, "one a second, and none yet in the current one")

        // It writes the current format, which reads back into the same counts.
        let rewritten = await restored.checkpoint().fileBytes
        #expect(rewritten[4] == 4)
        let reread = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
        try await reread.restore(try Checkpoint(fileBytes: Data(rewritten)))
        #expect(await CheckpointTests.allCounts(reread) == later)
    }
}
