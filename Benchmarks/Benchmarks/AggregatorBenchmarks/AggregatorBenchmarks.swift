import Benchmark
import PixelAggregator
import PixelCore

/// The aggregators' clock: one fixed time, so no window slides and every event is on time.
let t0: Int64 = 1_790_000_000_000
let batchSize = 256

/// `keys` brand-new pixel keys in batches of `batchSize`: key i is pixel `pixel-<i>` of
/// campaign `i % campaigns`, one view each. No visitors: what unique-visitor sketches cost
/// is measured in PixelCoreBenchmarks, and here it would grow with the visitors, not the keys.
func newKeyBatches(keys: Int, campaigns: Int) -> [EventBatch] {
    let names = (0..<campaigns).map { CampaignID(unchecked: "campaign-\($0)") }
    return stride(from: 0, to: keys, by: batchSize).map { start in
        var batch = EventBatch(collector: "bench", sequence: UInt64(start / batchSize + 1))
        for key in start..<(start + batchSize) {
            batch.append(HitEvent(time: t0, kind: .view, campaign: names[key % campaigns], pixel: PixelID(unchecked: "pixel-\(key)")))
        }
        return batch
    }
}

/// `count` batches of views scattered over `campaigns` × `pixels` keys as ingest-load sends
/// them (each event a random key and a random visitor), numbered from `firstSequence`.
func scatteredBatches(_ count: Int, campaigns: Int, pixels: Int, firstSequence: UInt64) -> [EventBatch] {
    var random: UInt64 = 42
    func next() -> UInt64 {
        random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return random
    }
    let campaignNames = (0..<campaigns).map { CampaignID(unchecked: "campaign-\($0)") }
    let pixelNames = (0..<pixels).map { PixelID(unchecked: "pixel-\($0)") }
    // What a collector sends: a few browsers and systems, 8 channels, 30 referring hosts.
    let channels = (0..<8).map { SegmentValue(unchecked: "channel-\($0)") }
    let referrers = (0..<30).map { SegmentValue(unchecked: "site-\($0).example") }
    return (0..<count).map { index in
        var batch = EventBatch(collector: "bench", sequence: firstSequence + UInt64(index))
        for _ in 0..<batchSize {
            let key = Int(next() >> 33) % (campaigns * pixels)
            let traits = next() >> 33
            let segments = HitSegments(
                browser: BrowserFamily(rawValue: UInt8(traits % 8))!, os: OperatingSystem(rawValue: UInt8(traits / 8 % 6))!,
                channel: channels[Int(traits / 64 % 8)], referrer: referrers[Int(traits / 512 % 30)])
            batch.append(HitEvent(time: t0, kind: .view, campaign: campaignNames[key / pixels],
                                  pixel: pixelNames[key % pixels], visitor: next(),
                                  device: DeviceClass(rawValue: UInt8(traits % 4))!, segments: segments))
        }
        return batch
    }
}

/// Ingests `batches`, each call awaited as an acked batch would be, inside the benchmark's
/// measurement; returns the events (each batch's `batchSize`) per second of wall clock.
func timedIngest(_ batches: ArraySlice<EventBatch>, into aggregator: Aggregator, _ benchmark: Benchmark) async -> Int {
    let clock = ContinuousClock()
    benchmark.startMeasurement()
    let start = clock.now
    for batch in batches { await aggregator.ingest([batch]) }
    let elapsed = start.duration(to: clock.now)
    benchmark.stopMeasurement()
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Int(Double(batches.count * batchSize) / seconds)
}

let benchmarks: @Sendable () -> Void = {
    // Counting alone, in process (no sockets, no feed): 1000 campaigns x 100 pixels that all
    // exist and are busy, then 1000 batches of 256 scattered events timed, each `ingest`
    // awaited as an acked batch would be (they repeat the first warm-up batches: visitors seen
    // again, as in ingest-load's cycled traffic). What the ingest path costs per event when every
    // event's windows and sketch are out of cache.
    let eventsPerSecond = BenchmarkMetric.custom("events/s", polarity: .prefersLarger, useScalingFactor: false)
    // Segments on and off alternate, so that their cost is read from neighbouring runs.
    for (uniques, segments) in [(true, true), (true, false), (false, true), (false, false)] {
        Benchmark(
            "Ingest, 256-event batches scattered over 100k keys, uniques \(uniques ? "on" : "off"), segments \(segments ? "on" : "off")",
            configuration: .init(metrics: [.wallClock, eventsPerSecond], warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 5),
            closure: { benchmark, batches in
                var configuration = AggregatorConfiguration()
                configuration.uniqueVisitors = uniques
                configuration.segments = segments
                let aggregator = Aggregator(configuration: configuration, clock: { t0 })
                for batch in batches.warm { await aggregator.ingest([batch]) }
                benchmark.measurement(eventsPerSecond, await timedIngest(batches.timed[...], into: aggregator, benchmark))
                blackHole(await aggregator.statistics.events)
            },
            setup: {
                (warm: scatteredBatches(2000, campaigns: 1000, pixels: 100, firstSequence: 1),
                 timed: scatteredBatches(1000, campaigns: 1000, pixels: 100, firstSequence: 1_000_000))
            })
    }

    let keysPerSecond = BenchmarkMetric.custom("new keys/s", polarity: .prefersLarger, useScalingFactor: false)

    // One iteration: a new aggregator is given `size / 2` new keys unmeasured, then the other
    // half are timed, batch by batch, each `ingest` awaited as an acked batch would be. Every
    // table that doubles its storage does so once in each timed half, whatever the size, so
    // new keys/s compares sizes fairly; it must stay flat from 10k to 1M. wallClock is the
    // time of the timed half.
    for (size, label) in [(10_240, "10k"), (102_400, "100k"), (1_024_000, "1M")] {
        for campaigns in [1, 1000] {
            let spread = campaigns == 1 ? "one campaign" : "\(campaigns) campaigns"
            Benchmark(
                "New keys at \(label), \(spread)",
                configuration: .init(
                    metrics: [.wallClock, .mallocCountTotal, keysPerSecond], warmupIterations: 1,
                    maxDuration: .seconds(10), maxIterations: 5),
                closure: { benchmark, batches in
                    let aggregator = Aggregator(configuration: AggregatorConfiguration(), clock: { t0 })
                    let half = batches.count / 2
                    for batch in batches[..<half] { await aggregator.ingest([batch]) }
                    benchmark.measurement(keysPerSecond, await timedIngest(batches[half...], into: aggregator, benchmark))
                    blackHole(await aggregator.statistics.events)
                },
                setup: { newKeyBatches(keys: size, campaigns: campaigns) })
        }
    }
}
