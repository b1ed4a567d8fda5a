import Foundation
@testable import PixelAggregator
import PixelCore
import Testing

/// The key table (issue 12): many new pixels in one campaign and over many campaigns get
/// exactly the keys, the order, the rollups and the topics they always had, directly and
/// through a checkpoint. (How fast new keys are made is measured, not tested: see
/// `Benchmarks/Benchmarks/AggregatorBenchmarks` and `Benchmarks/scripts/new_keys.sh`.)
@Suite struct KeyTableTests {
    /// What the table must hold, worked out the plain way: one flat dictionary, keys numbered
    /// in order of first sight, a campaign's rollup just before its first pixel.
    struct Reference {
        var keys: [(campaign: String, pixel: String?)] = []
        private var index: [String: Int] = [:]

        mutating func keys(campaign: String, pixel: String) -> (pixel: Int, rollup: Int) {
            let rollup = key(campaign, nil)
            return (key(campaign, pixel), rollup)
        }

        private mutating func key(_ campaign: String, _ pixel: String?) -> Int {
            let name = pixel.map { "\(campaign)\u{0}\($0)" } ?? campaign
            if let key = index[name] { return key }
            index[name] = keys.count
            keys.append((campaign, pixel))
            return keys.count - 1
        }
    }

    /// `count` (campaign, pixel) pairs as traffic meets them: mostly new pixels, spread
    /// round-robin over `campaigns`, with every fifth a pixel met before (of any campaign).
    static func pairs(count: Int, campaigns: Int) -> [(campaign: String, pixel: String)] {
        var state: UInt64 = 12
        var made: [(campaign: String, pixel: String)] = []
        var pairs: [(campaign: String, pixel: String)] = []
        for index in 0..<count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            if index % 5 == 4, !made.isEmpty {
                pairs.append(made[Int(state >> 33) % made.count])
            } else {
                let pair = (campaign: "campaign-\(made.count % campaigns)", pixel: "pixel-\(made.count)")
                made.append(pair)
                pairs.append(pair)
            }
        }
        return pairs
    }

    @Test(arguments: [1, 7, 1000])
    func keysRollupsAndTopicsAreMadeInOrderOfFirstSight(campaigns: Int) {
        var table = KeyTable()
        var reference = Reference()
        var made: [Bool] = []  // what each `makeKey` call was told: whether it made a rollup
        for (campaign, pixel) in Self.pairs(count: 25_000, campaigns: campaigns) {
            let keys = table.makeKeys(campaign: campaign, pixel: pixel) { rollup in
                made.append(rollup)
                return made.count - 1
            }
            let expected = reference.keys(campaign: campaign, pixel: pixel)
            #expect(keys == expected, "\(campaign)/\(pixel)")
        }
        #expect(table.count == reference.keys.count)
        #expect(made == reference.keys.map { $0.pixel == nil })
        for (index, expected) in reference.keys.enumerated() {
            let key = table[index]
            let campaign = CampaignID(unchecked: expected.campaign), pixel = expected.pixel.map(PixelID.init(unchecked:))
            #expect(key.campaign == campaign && key.pixel == pixel, "key \(index)")
            #expect(key.topic == "stats/\(expected.campaign)/\(expected.pixel ?? "*")/", "key \(index)")
            #expect(key.rollup == table.key(campaign: campaign, pixel: nil), "key \(index)")
            #expect(table.key(campaign: campaign, pixel: pixel) == index, "key \(index)")
        }
        #expect(table.key(campaign: "campaign-0", pixel: "never-seen") == nil)
        #expect(table.key(campaign: "never-seen", pixel: nil) == nil)
    }

    /// Names are interned once whatever their role: a pixel may bear its campaign's name, or
    /// another campaign's, and still gets its own key.
    @Test func namesAreSharedAcrossRoles() {
        var table = KeyTable()
        var next = 0
        func make(_ campaign: String, _ pixel: String) -> (pixel: Int, rollup: Int) {
            table.makeKeys(campaign: campaign, pixel: pixel) { _ in
                next += 1
                return next - 1
            }
        }
        #expect(make("a", "a") == (1, 0))
        #expect(make("b", "a") == (3, 2))
        #expect(make("a", "b") == (4, 0))
        #expect(make("a", "a") == (1, 0))
        #expect(table.key(campaign: "a", pixel: "a") == 1)
        #expect(table.key(campaign: "b", pixel: nil) == 2)
        #expect(table.key(campaign: "b", pixel: "b") == nil)
        #expect(table[4].topic == "stats/a/b/")
    }

    /// The pair index finds what a dictionary finds, through many growths: random pairs of
    /// name ids, some met again, including id 0 in both halves.
    @Test func thePairIndexFindsWhatADictionaryFinds() {
        var index = PairIndex()
        var reference: [UInt64: (pixel: Int, rollup: Int)] = [:]
        var state: UInt64 = 3
        var mismatches = 0
        for n in 0..<60_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let pair = PairIndex.pair(campaign: UInt32(state >> 53), pixel: UInt32((state >> 20) % 5000))
            if let known = reference[pair] {
                if index.keys(of: pair).map({ $0 != known }) ?? true { mismatches += 1 }
            } else {
                if index.keys(of: pair) != nil { mismatches += 1 }
                index.insert(pair, pixel: n, rollup: n / 7)
                reference[pair] = (n, n / 7)
            }
        }
        #expect(index.keys(of: PairIndex.pair(campaign: 0, pixel: 0)).map { $0 == reference[0]! } ?? (reference[0] == nil))
        #expect(mismatches == 0)
        #expect(index.count == reference.count)
        #expect(reference.allSatisfy { pair, keys in index.keys(of: pair).map { $0 == keys } ?? false })
    }

    /// New pixels in batches of 256, as a collector sends them, at one time.
    static func batches(_ pairs: [(campaign: String, pixel: String)], at time: Int64) -> [EventBatch] {
        stride(from: 0, to: pairs.count, by: 256).map { start in
            var batch = EventBatch(collector: "edge-1", sequence: UInt64(start / 256 + 1))
            for (offset, pair) in pairs[start..<min(start + 256, pairs.count)].enumerated() {
                batch.append(HitEvent(
                    time: time, kind: offset % 10 == 0 ? .click : .view, campaign: CampaignID(unchecked: pair.campaign),
                    pixel: PixelID(unchecked: pair.pixel), visitor: UInt64(start + offset)))
            }
            return batch
        }
    }

    /// Every key's topic and counts, in key order (the order a snapshot reads them in).
    static func snapshot(_ aggregator: Aggregator) async -> [(topic: String, counts: [Counts])] {
        await aggregator.snapshot(prefix: "stats/", from: 0, limit: 1_000_000).updates.map { ($0.topic, $0.counts) }
    }

    @Test(arguments: [1, 40])
    func aCheckpointMakesTheSameKeysInTheSameOrder(campaigns: Int) async throws {
        let clock = TestClock()
        let original = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
        let pairs = Self.pairs(count: 6000, campaigns: campaigns)
        for batch in Self.batches(pairs, at: clock.now) { await original.ingest([batch]) }
        clock.advance(by: 1000)
        let checkpoint = try Checkpoint(fileBytes: Data(await original.checkpoint().fileBytes))

        let restored = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
        try await restored.restore(checkpoint)
        // Written again, the restored state is the same bytes: the same keys in the same order.
        #expect(await restored.checkpoint().state == checkpoint.state)

        var reference = Reference()
        for (campaign, pixel) in pairs { _ = reference.keys(campaign: campaign, pixel: pixel) }
        let topics = reference.keys.map { "stats/\($0.campaign)/\($0.pixel ?? "*")/" }
        let (before, after) = (await Self.snapshot(original), await Self.snapshot(restored))
        #expect(before.map(\.topic) == topics)
        #expect(after.map(\.topic) == topics)
        #expect(after.map(\.counts) == before.map(\.counts))
        #expect(await restored.counts(campaign: "campaign-0")?[0].views == original.counts(campaign: "campaign-0")?[0].views)

        // Both go on making the same new keys, after the old ones.
        let more = (0..<600).map { (campaign: "campaign-\($0 % (campaigns + 1))", pixel: "late-\($0)") }
        for batch in Self.batches(more, at: clock.now) {
            var batch = batch
            batch.sequence += 1000
            for aggregator in [original, restored] { await aggregator.ingest([batch]) }
        }
        for (campaign, pixel) in more { _ = reference.keys(campaign: campaign, pixel: pixel) }
        let all = reference.keys.map { "stats/\($0.campaign)/\($0.pixel ?? "*")/" }
        #expect(await Self.snapshot(original).map(\.topic) == all)
        #expect(await Self.snapshot(restored).map(\.topic) == all)
    }
}
