import Foundation
import PixelAggregator
import PixelAlerts
import PixelCore
import Testing

/// Checkpoints of the whole aggregator: a restored aggregator goes on exactly like the
/// one that wrote it (counts, de-duplication, alert incidents, firing alerts), and a damaged
/// checkpoint file is refused, said why, and never loaded.
@Suite struct CheckpointTests {
    static let campaigns = ["spring", "autumn", "winter"]
    static let pixels = ["hero", "footer", "mail", "banner"]

    /// A second of traffic: batches from two collectors over every campaign and pixel, from
    /// returning visitors, with conversions that carry a value and an event id.
    static func traffic(second: Int, sequence: inout UInt64, at time: Int64) -> [EventBatch] {
        // A seeded linear congruential generator (high bits): the same traffic every run.
        var state = UInt64(second) &* 0x9e37_79b9_7f4a_7c15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        return ["edge-1", "edge-2"].map { collector in
            sequence += 1
            var batch = EventBatch(collector: CollectorID(unchecked: collector), sequence: sequence)
            for _ in 0..<Int(next() % 40) {
                let kind = EventKind(rawValue: UInt8(next() % 3))!
                let campaign = campaigns[Int(next() % 3)], pixel = pixels[Int(next() % 4)]
                // The quiet pixel stays a short list; the others grow rings.
                if pixel == "mail", next() % 8 != 0 { continue }
                batch.append(HitEvent(
                    time: time - Int64(next() % 3000), kind: kind, campaign: CampaignID(unchecked: campaign),
                    pixel: PixelID(unchecked: pixel), value: kind == .conversion ? next() % 10_000 : nil,
                    visitor: next() % 3000, eventID: kind == .conversion ? EventID(rawValue: next() % 500) : nil))
            }
            return batch
        }
    }

    static func allCounts(_ aggregator: Aggregator) async -> [String: [Counts]] {
        var counts: [String: [Counts]] = [:]
        for campaign in campaigns {
            counts[campaign] = await aggregator.counts(campaign: CampaignID(unchecked: campaign))
            for pixel in pixels {
                counts["\(campaign)/\(pixel)"] = await aggregator.counts(
                    campaign: CampaignID(unchecked: campaign), pixel: PixelID(unchecked: pixel))
            }
        }
        return counts
    }

    /// Through the file format, as a restart would read it.
    static func roundTrip(_ checkpoint: Checkpoint) throws -> Checkpoint {
        try Checkpoint(fileBytes: Data(checkpoint.fileBytes))
    }

    @Test func aRestoredAggregatorGoesOnExactlyLikeTheOriginal() async throws {
        let clock = TestClock()
        let original = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
        var sequence: UInt64 = 0
        var sent: [EventBatch] = []
        for second in 0..<1800 {
            let batches = Self.traffic(second: second, sequence: &sequence, at: clock.now)
            await original.ingest(batches)
            sent += batches
            clock.advance(by: 1000)
            if second % 10 == 0 { _ = await original.changes() }
        }
        let checkpoint = try Self.roundTrip(await original.checkpoint())
        #expect(checkpoint.time == clock.now)

        let restored = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
        try await restored.restore(checkpoint)
        #expect(await Self.allCounts(restored) == Self.allCounts(original))
        #expect(await restored.seq == original.seq)
        // Every key with counts is published at the first tick.
        let published = await restored.changes().filter { $0.topic.hasPrefix("stats/") }
        #expect(published.count == Self.campaigns.count * (Self.pixels.count + 1))
        // The de-duplication marks came along: a batch sent before, and an event id seen
        // before, are not counted again.
        #expect(await restored.ingest([sent[sent.count - 5]]).map(\.status) == [.duplicate])
        var replayedID = EventBatch(collector: "edge-3", sequence: 1)
        let seen = try #require(sent.last { $0.events.contains { $0.presence.contains(.eventID) } })
        replayedID.append(seen.hit(at: seen.events.firstIndex { $0.presence.contains(.eventID) }!))
        replayedID.append(HitEvent(time: clock.now, kind: .view, campaign: "spring", pixel: "hero"))
        for aggregator in [original, restored] { await aggregator.ingest([replayedID]) }
        #expect(await restored.statistics.duplicates == 1)

        // Both go on with the same traffic, and stay equal as the windows slide and empty.
        for second in 1800..<(1800 + 5400) {
            let batches = Self.traffic(second: second, sequence: &sequence, at: clock.now)
            let (a, b) = (await original.ingest(batches), await restored.ingest(batches))
            #expect(a == b)
            clock.advance(by: 1000)
            if second % 300 == 0 {
                #expect(await Self.allCounts(restored) == Self.allCounts(original), "second \(second)")
            }
        }
        clock.advance(by: 2 * 3_600_000)
        #expect(await Self.allCounts(restored) == Self.allCounts(original))
    }

    /// Unique visitors turned off since a checkpoint are dropped at the restore; turned on,
    /// they count from the restore on. The counters are not affected either way.
    @Test func uniquesTurnedOffOrOnAcrossARestore() async throws {
        let clock = TestClock()
        var off = AggregatorConfiguration()
        off.uniqueVisitors = false
        let original = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
        var sequence: UInt64 = 0
        for second in 0..<600 {
            await original.ingest(Self.traffic(second: second, sequence: &sequence, at: clock.now))
            clock.advance(by: 1000)
        }
        let counted = await Self.allCounts(original)
        #expect(counted["spring"]?[3].uniques.map { $0 > 1000 } == true)
        func withoutUniques(_ counts: [String: [Counts]]) -> [String: [Counts]] {
            counts.mapValues { $0.map { var counts = $0; counts.uniques = nil; return counts } }
        }

        let withUniques = try Self.roundTrip(await original.checkpoint())
        let restoredOff = Aggregator(configuration: off, clock: clock.function)
        try await restoredOff.restore(withUniques)
        #expect(await Self.allCounts(restoredOff) == withoutUniques(counted))

        let withoutThem = try Self.roundTrip(await restoredOff.checkpoint())
        let restoredOn = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
        try await restoredOn.restore(withoutThem)
        let restarted = await Self.allCounts(restoredOn)
        #expect(withoutUniques(restarted) == withoutUniques(counted))
        #expect(restarted["spring"]?.map(\.uniques) == [0, 0, 0, 0])
        await restoredOn.ingest(Self.traffic(second: 600, sequence: &sequence, at: clock.now))
        #expect(await restoredOn.counts(campaign: "spring")?[0].uniques.map { $0 > 0 } == true)
    }

    @Test func whatHasAgedOutIsDiscarded() async throws {
        let clock = TestClock()
        let original = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
        var sequence: UInt64 = 0
        await original.ingest(Self.traffic(second: 0, sequence: &sequence, at: clock.now))
        let checkpoint = try Self.roundTrip(await original.checkpoint())
        // Restored two hours later: no window reaches back to those events.
        clock.advance(by: 2 * 3_600_000)
        let restored = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
        try await restored.restore(checkpoint)
        let counts = await Self.allCounts(restored)
        #expect(!counts.isEmpty)
        for windows in counts.values { #expect(windows.allSatisfy { $0.isZero }) }
    }

    @Test func incidentsAndFiringAlertsCarryOn() async throws {
        let pixels = [("c1", "p"), ("c2", "p")]
        let first = TrafficSimulation()
        await first.run(seconds: 70 * 60, TrafficSimulation.steady(pixels, rate: 5))
        await first.run(seconds: 6 * 60, TrafficSimulation.steady([("c2", "p")], rate: 5))
        let firing = await first.aggregator.firingAlerts
        #expect(firing.count == 4)
        let checkpoint = try Self.roundTrip(await first.aggregator.checkpoint())

        let second = TrafficSimulation()
        second.clock.advance(by: first.clock.now - second.clock.now)
        second.sequence = first.sequence  // the same collector goes on
        try await second.aggregator.restore(checkpoint)
        #expect(await second.aggregator.firingAlerts == firing)
        #expect(await second.aggregator.snapshot(prefix: "alerts/", from: 0, limit: 10).alerts.count == 4)
        // Traffic comes back: the restored incidents resolve, after the same cooldown as
        // in the aggregator that never stopped. A fresh aggregator would have none to resolve.
        for simulation in [first, second] {
            await simulation.run(seconds: 20 * 60, TrafficSimulation.steady(pixels, rate: 5))
        }
        for rule in ["pixel-silent", "traffic-drop"] {
            let original = first.history("alerts/c1/p/", rule: rule)
            #expect(original.map(\.status) == ["firing", "resolved"])
            let restored = second.history("alerts/c1/p/", rule: rule)
            #expect(restored.map(\.status) == ["resolved"])
            #expect(restored.first?.at == original.last.map { $0.at - first.elapsed + second.elapsed })
        }
        #expect(await second.aggregator.firingAlerts.isEmpty)
    }

    @Test func anAlertWhoseRuleIsGoneResolvesAfterTheRestore() async throws {
        let first = TrafficSimulation()
        await first.run(seconds: 70 * 60, TrafficSimulation.steady([("c1", "p"), ("c2", "p")], rate: 5))
        await first.run(seconds: 6 * 60, TrafficSimulation.steady([("c2", "p")], rate: 5))
        let checkpoint = try Self.roundTrip(await first.aggregator.checkpoint())

        let onlyDrops = AlertRule.defaults(for: .standard).filter { $0.kind == .drop }
        let second = TrafficSimulation(rules: onlyDrops)
        second.clock.advance(by: first.clock.now - second.clock.now)
        second.sequence = first.sequence
        try await second.aggregator.restore(checkpoint)
        await second.run(seconds: 1, TrafficSimulation.steady([("c2", "p")], rate: 5))
        #expect(second.alerts.map { $0["status"] as? String } == ["resolved", "resolved"])
        #expect(second.alerts.allSatisfy { $0["rule"] as? String == "pixel-silent" })
        #expect(await second.aggregator.firingAlerts.map(\.rule) == ["traffic-drop", "traffic-drop"])
    }

    @Test func damagedFilesAreRefusedAndSayWhy() async throws {
        let clock = TestClock()
        let aggregator = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
        var sequence: UInt64 = 0
        await aggregator.ingest(Self.traffic(second: 0, sequence: &sequence, at: clock.now))
        let bytes = await aggregator.checkpoint().fileBytes
        func refusal(_ bytes: [UInt8]) -> String? {
            do {
                _ = try Checkpoint(fileBytes: Data(bytes))
                return nil
            } catch {
                return error.description
            }
        }
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x01
        #expect(refusal(flipped)?.hasPrefix("checksum mismatch") == true)
        #expect(refusal(Array(bytes.dropLast(10)))?.hasPrefix("truncated: the header says \(bytes.count - 20) bytes of state, the file holds \(bytes.count - 30)") == true)
        #expect(refusal(Array(bytes.prefix(7))) == "not a checkpoint (no PXCK header)")
        #expect(refusal(Array("hello, world, this is not it".utf8)) == "not a checkpoint (no PXCK header)")
        var version = bytes
        version[4] = 9
        #expect(refusal(version) == "format version 9 is not one this build reads (1, 2, 3, 4)")
        #expect(refusal(bytes) == nil)

        // A checkpoint of other windows is refused by the aggregator, which stays as it was.
        let windows = try WindowConfiguration(windows: [WindowSpec(length: 60_000), WindowSpec(length: 600_000)])
        let other = Aggregator(configuration: AggregatorConfiguration(windows: windows), clock: clock.function)
        await #expect(throws: CheckpointError("written with windows 1m,5m,15m,1h (grace 3600 s), but the aggregator keeps 1m,10m (grace 600 s)")) {
            try await other.restore(try Checkpoint(fileBytes: Data(bytes)))
        }
        #expect(await other.counts(campaign: "spring") == nil)
    }
}
