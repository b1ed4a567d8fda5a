import Foundation
@testable import PixelAggregator
import PixelCore
import PixelPulseTesting
import Testing

/// Each campaign broken down by device, browser, system, channel, referrer and country:
/// exact against a recount of every event, bounded whatever the traffic, published on
/// `segments/…`, and kept through a checkpoint.
@Suite struct SegmentsTests {
    static let channels: [SegmentValue?] = ["facebook", "newsletter", "search", "direct", "social"]
    static let referrers: [SegmentValue?] = ["google.com", "t.co", "l.facebook.com", "news.example.org", "bing.com", nil]
    static let countries: [CountryCode?] = [CountryCode("DE"), CountryCode("US"), CountryCode("FR"), CountryCode("JP"), nil]

    static func configuration(bound: Int) -> AggregatorConfiguration {
        var configuration = AggregatorConfiguration()
        configuration.segmentBound = bound
        return configuration
    }

    static func randomHit(campaign: CampaignID, time: Int64, using rng: inout SplitMix64) -> HitEvent {
        let kind = EventKind(rawValue: UInt8(rng.next() % 4))!
        let segments = HitSegments(
            browser: BrowserFamily(rawValue: UInt8(rng.next() % 15))!, os: OperatingSystem(rawValue: UInt8(rng.next() % 8))!,
            channel: channels[Int(rng.next() % 5)], referrer: referrers[Int(rng.next() % 6)],
            country: countries[Int(rng.next() % 5)])
        return HitEvent(
            time: time, kind: kind, campaign: campaign, pixel: PixelID(unchecked: "p\(rng.next() % 3)"),
            value: kind == .conversion ? rng.next() % 5000 : nil, visitor: rng.next() % 100,
            device: DeviceClass(rawValue: UInt8(rng.next() % 7))!, segments: segments)
    }

    /// The value an event counts under in `dimension`, before any bound.
    static func value(of hit: HitEvent, in dimension: SegmentDimension) -> String {
        switch dimension {
        case .device: hit.device.description
        case .browser: hit.segments.browser.name
        case .os: hit.segments.os.name
        case .channel: hit.segments.channel?.rawValue ?? SegmentDimension.noneValue
        case .referrer: hit.segments.referrer?.rawValue ?? SegmentDimension.noneValue
        case .country: hit.segments.country?.description ?? SegmentDimension.noneValue
        }
    }

    /// Counts `hits` (those the aggregator counted, in order) the obvious way: every window
    /// recounted from the list, values past the bound in `(other)`, in order of first sight.
    static func recount(
        _ hits: [HitEvent], dimension: SegmentDimension, bound: Int, windows: WindowConfiguration, now: Int64
    ) -> [String: [Counts]] {
        var admitted: [String] = []
        var rows: [String: [Counts]] = [:]
        for hit in hits {
            var name = value(of: hit, in: dimension)
            if dimension.rawValue >= 3, name != SegmentDimension.noneValue, !admitted.contains(name) {
                if admitted.count < bound { admitted.append(name) } else { name = SegmentDimension.otherValue }
            }
            var counts = rows[name] ?? Array(repeating: Counts(), count: windows.windows.count)
            for (index, window) in windows.windows.enumerated() {
                let step = { (time: Int64) in time / windows.windows[0].step * windows.windows[0].step / window.step }
                guard step(hit.time) > step(now) - Int64(window.slots), step(hit.time) <= step(now) else { continue }
                counts[index][hit.kind] += 1
                if hit.kind != .bot { counts[index].value += hit.value ?? 0 }
            }
            rows[name] = counts
        }
        return rows.filter { !$0.value.allSatisfy(\.isZero) }
    }

    @Test func segmentsMatchARecountOfEveryEvent() async throws {
        let clock = TestClock()
        let configuration = Self.configuration(bound: 3)
        let aggregator = Aggregator(configuration: configuration, clock: clock.function)
        var rng = SplitMix64(seed: 16)
        var counted: [CampaignID: [HitEvent]] = [:]
        var newest = clock.now
        for round in 1...400 {
            var batch = EventBatch(collector: "edge-1", sequence: UInt64(round), reportsFates: true)
            for _ in 0..<Int(rng.next() % 12) {
                let roll = rng.next() % 50
                // Mostly recent, some late, a few too late or too far ahead.
                let time = roll == 0 ? clock.now - 4_000_000 : roll == 1 ? clock.now + 60_000 : clock.now - Int64(rng.next() % 90_000)
                batch.append(Self.randomHit(campaign: rng.next() % 3 == 0 ? "autumn" : "spring", time: time, using: &rng))
            }
            let ack = await aggregator.ingest([batch])[0]
            for (hit, fate) in zip(batch.hits, try #require(ack.fates)) where fate == .counted {
                counted[hit.campaign, default: []].append(hit)
                newest = max(newest, hit.time)
            }
            clock.advance(by: 3000)
            if round % 100 == 0 {
                _ = await aggregator.changes()  // sweeps: nothing has been idle for an hour yet
                let now = max(clock.now, newest)
                for (campaign, hits) in counted {
                    let rollup = try #require(await aggregator.counts(campaign: campaign))
                    for dimension in SegmentDimension.allCases {
                        let rows = try #require(await aggregator.segments(campaign: campaign, dimension: dimension))
                        let expected = Self.recount(hits, dimension: dimension, bound: 3, windows: configuration.windows, now: now)
                        #expect(Dictionary(uniqueKeysWithValues: rows.map { ($0.segment, $0.counts) }) == expected, "\(campaign) \(dimension)")
                        // Every dimension adds up to the campaign.
                        for window in rollup.indices {
                            var sum = Counts()
                            for row in rows {
                                for kind in EventKind.allCases { sum[kind] += row.counts[window][kind] }
                                sum.value += row.counts[window].value
                            }
                            #expect(sum == Counts(views: rollup[window].views, clicks: rollup[window].clicks,
                                                  conversions: rollup[window].conversions, value: rollup[window].value,
                                                  bots: rollup[window].bots))
                        }
                        let busiest = rows.map { $0.counts.last!.views + $0.counts.last!.clicks + $0.counts.last!.conversions + $0.counts.last!.bots }
                        #expect(busiest == busiest.sorted(by: >), "busiest first")
                    }
                }
            }
        }
    }

    @Test func tenThousandReferrersCostWhatTheBoundDoes() {
        let now: Int64 = 1_790_000_000_000
        var state = AggregatorState(configuration: Self.configuration(bound: 10))
        var sequence: UInt64 = 0
        func visits(from hosts: Range<Int>) {
            var batch = EventBatch(collector: "edge-1", sequence: sequence)
            for host in hosts {
                if !batch.canAppend(HitEvent(time: now, kind: .view, campaign: "c", pixel: "p")) {
                    _ = state.ingest(batch, now: now)
                    sequence += 1
                    batch = EventBatch(collector: "edge-1", sequence: sequence)
                }
                batch.append(HitEvent(time: now, kind: .view, campaign: "c", pixel: "p",
                                      segments: HitSegments(referrer: SegmentValue(unchecked: "site\(host).example"))))
            }
            _ = state.ingest(batch, now: now)
            sequence += 1
        }
        visits(from: 0..<100_000)
        let rollup = state.table.key(campaign: "c", pixel: nil)!
        let rows = state.segments!.rows(ofRollup: rollup, dimension: .referrer)!
        #expect(rows.count == 11)
        #expect(rows.first?.segment == SegmentDimension.otherValue)
        #expect(rows.first?.counts[0].views == 99_990)
        #expect(Set(rows.dropFirst().map(\.segment)) == Set((0..<10).map { "site\($0).example" }), "first come, first kept")
        #expect(rows.dropFirst().allSatisfy { $0.counts[0].views == 1 })
        let bytes = state.segments?.byteCount(rollup: rollup) ?? 0
        visits(from: 100_000..<200_000)
        let later = state.segments?.byteCount(rollup: rollup) ?? 0
        #expect(later <= bytes, "another 100 000 hosts cost nothing more: \(bytes) → \(later) bytes")
        let keys = state.segments?.store.keyCount ?? 0
        #expect(keys <= 1 + 1 + 1 + 1 + 11 + 1, "device, browser, system, channel, referrer, country")
    }

    /// The worst case: every value of every dimension, up to the bound and past it, busy
    /// with views, clicks and valued conversions all hour long (the README's figures).
    @Test(arguments: [(10, 80), (5, 64)])
    func aBusyCampaignsBreakdownsStayWithinTheirMemory(bound: Int, kibibytes: Int) {
        var state = AggregatorState(configuration: Self.configuration(bound: bound))
        let start: Int64 = 1_790_000_000_000
        let open = (0...11).map { SegmentValue(unchecked: "value-\($0)") }  // past the bound
        let countries = (0...11).map { CountryCode(String(UnicodeScalar(65 + $0)!) + "X")! }
        for step in 0..<360 {
            let now = start + Int64(step) * 10_000
            var batch = EventBatch(collector: "edge-1", sequence: UInt64(step))
            for index in 0..<15 {
                for kind in [EventKind.view, .click, .conversion] {
                    let segments = HitSegments(
                        browser: BrowserFamily(rawValue: UInt8(index))!, os: OperatingSystem(rawValue: UInt8(index % 8))!,
                        channel: open[index % 12], referrer: open[(index + 1) % 12], country: countries[index % 12])
                    batch.append(HitEvent(time: now, kind: kind, campaign: "c", pixel: "p", value: kind == .conversion ? 4999 : nil,
                                          device: DeviceClass(rawValue: UInt8(index % 7))!, segments: segments))
                }
            }
            _ = state.ingest(batch, now: now)
        }
        let rollup = state.table.key(campaign: "c", pixel: nil)!
        let bytes = state.segments?.byteCount(rollup: rollup) ?? 0
        #expect(bytes > 0 && bytes <= kibibytes * 1024, "\(bytes) bytes")
    }

    @Test func aValueIdleForAnHourGivesItsPlaceUp() async throws {
        let clock = TestClock()
        let aggregator = Aggregator(configuration: Self.configuration(bound: 1), clock: clock.function)
        func visit(from host: SegmentValue, sequence: UInt64) async {
            var batch = EventBatch(collector: "edge-1", sequence: sequence)
            batch.append(HitEvent(time: clock.now, kind: .view, campaign: "c", pixel: "p", segments: HitSegments(referrer: host)))
            await aggregator.ingest([batch])
        }
        await visit(from: "a.example", sequence: 1)
        await visit(from: "b.example", sequence: 2)
        #expect(await aggregator.segments(campaign: "c", dimension: .referrer)?.map(\.segment) == ["(other)", "a.example"])
        clock.advance(by: 3_700_000)
        _ = await aggregator.changes()
        #expect(await aggregator.segments(campaign: "c", dimension: .referrer)?.isEmpty == true)
        await visit(from: "b.example", sequence: 3)
        #expect(await aggregator.segments(campaign: "c", dimension: .referrer)?.map(\.segment) == ["b.example"])
    }

    @Test func breakdownsArePublishedOnTheirTopicsAndInSnapshots() async throws {
        let clock = TestClock()
        let aggregator = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
        var batch = EventBatch(collector: "edge-1", sequence: 1)
        let mobile = HitSegments(browser: .safari, os: .iOS, channel: "facebook", referrer: "l.facebook.com")
        batch.append(HitEvent(time: clock.now, kind: .view, campaign: "c1", pixel: "p1", device: .mobile, segments: mobile))
        batch.append(HitEvent(time: clock.now, kind: .click, campaign: "c1", pixel: "p1", device: .mobile, segments: mobile))
        batch.append(HitEvent(time: clock.now, kind: .view, campaign: "c1", pixel: "p2", device: .desktop,
                              segments: HitSegments(browser: .chrome, os: .windows, channel: "direct")))
        await aggregator.ingest([batch])
        let messages = await aggregator.changes()
        let segments = messages.filter { $0.topic.hasPrefix(FeedTopic.segmentsPrefix) }
        // No country database: nothing to break down by country.
        #expect(Set(segments.map(\.topic)) == Set(["device", "browser", "os", "channel", "referrer"].map { "segments/c1/\($0)/" }))
        let browser = try #require(segments.first { $0.topic == "segments/c1/browser/" }.flatMap { FeedSegments(json: $0.body) })
        #expect(browser.campaign == "c1" && browser.dimension == "browser")
        #expect(browser.rows.map(\.segment) == ["safari", "chrome"])
        #expect(browser.rows[0].windows["1m"]?.views == 1 && browser.rows[0].windows["1m"]?.clicks == 1)
        #expect(browser.rows[0].windows["1m"]?.ctr == 1)
        let referrer = try #require(segments.first { $0.topic == "segments/c1/referrer/" }.flatMap { FeedSegments(json: $0.body) })
        #expect(referrer.rows.map(\.segment) == ["l.facebook.com", "(none)"])
        #expect(await aggregator.changes().isEmpty, "nothing new, nothing published")

        let chunk = await aggregator.snapshot(prefix: "segments/c1/ch", from: 0, limit: 10)
        #expect(chunk.segments.map(\.topic) == ["segments/c1/channel/"])
        #expect(chunk.segments[0].seq == chunk.seq)
        #expect(chunk.updates.isEmpty)
        // A minute on, the 1m window has emptied: published again.
        clock.advance(by: 61_000)
        let slid = await aggregator.changes().filter { $0.topic == "segments/c1/browser/" }
        let message = try #require(slid.first)
        #expect(FeedSegments(json: message.body)?.rows[0].windows["1m"]?.views == 0)
    }

    @Test func segmentsSurviveACheckpoint() async throws {
        let clock = TestClock()
        let configuration = Self.configuration(bound: 2)
        let original = Aggregator(configuration: configuration, clock: clock.function)
        var rng = SplitMix64(seed: 3)
        func traffic(_ sequence: UInt64) -> EventBatch {
            var batch = EventBatch(collector: "edge-1", sequence: sequence)
            for _ in 0..<30 { batch.append(Self.randomHit(campaign: "spring", time: clock.now, using: &rng)) }
            return batch
        }
        for sequence in 1...20 {
            await original.ingest([traffic(UInt64(sequence))])
            clock.advance(by: 1000)
        }
        let restored = Aggregator(configuration: configuration, clock: clock.function)
        try await restored.restore(try Checkpoint(fileBytes: Data(await original.checkpoint().fileBytes)))
        for sequence in 21...30 {
            let batch = traffic(UInt64(sequence))
            await original.ingest([batch])
            await restored.ingest([batch])
            clock.advance(by: 1000)
        }
        for dimension in SegmentDimension.allCases {
            let before = try #require(await original.segments(campaign: "spring", dimension: dimension))
            let after = try #require(await restored.segments(campaign: "spring", dimension: dimension))
            #expect(after.map(\.segment) == before.map(\.segment), "\(dimension)")
            #expect(after.map(\.counts) == before.map(\.counts), "\(dimension)")
        }
        #expect(await restored.changes().contains { $0.topic == "segments/spring/channel/" }, "published again after a restart")
    }

    @Test func turnedOffTheyCostNothing() async throws {
        var configuration = AggregatorConfiguration()
        configuration.segments = false
        let aggregator = Aggregator(configuration: configuration)
        await aggregator.ingest([AggregatorTests.batch([HitEvent(time: aggregator.now, kind: .view, campaign: "c", pixel: "p")])])
        #expect(await aggregator.segments(campaign: "c", dimension: .device) == nil)
        #expect(!(await aggregator.changes()).contains { $0.topic.hasPrefix(FeedTopic.segmentsPrefix) })
    }
}
