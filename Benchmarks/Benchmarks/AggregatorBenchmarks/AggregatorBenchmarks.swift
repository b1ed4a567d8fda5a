import Benchmark
import PixelAggregator
import PixelCore

/// The aggregators' clock: one fixed time, so no window slides and every event is on time.
let t0: Int64 = 1_790_000_000_000
/// The keys measured: the last `slice` of each size, added after `size - slice` exist.
let slice = 10_240
let batchSize = 256

/// `keys` brand-new pixel keys in batches of `batchSize`: key i is pixel `pixel-<i>` of
/// campaign `i % campaigns`, one view each (with a visitor, so rollups count uniques).
func newKeyBatches(keys: Int, campaigns: Int) -> [EventBatch] {
    let names = (0..<campaigns).map { CampaignID(unchecked: "campaign-\($0)") }
    var random: UInt64 = 1
    return stride(from: 0, to: keys, by: batchSize).map { start in
        var batch = EventBatch(collector: "bench", sequence: UInt64(start / batchSize + 1))
        for key in start..<(start + batchSize) {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            batch.append(HitEvent(
                time: t0, kind: .view, campaign: names[key % campaigns], pixel: PixelID(unchecked: "pixel-\(key)"),
                visitor: random))
        }
        return batch
    }
}

let benchmarks: @Sendable () -> Void = {
    let keysPerSecond = BenchmarkMetric.custom("new keys/s", polarity: .prefersLarger, useScalingFactor: false)

    // One iteration: a new aggregator is given `size - slice` new keys unmeasured, then the
    // last `slice` are timed, batch by batch, each `ingest` awaited as an acked batch would be.
    // wallClock is the time of that slice; new keys/s must stay flat from 10k to 1M.
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
                    let measured = batches.count - slice / batchSize
                    for batch in batches[..<measured] { await aggregator.ingest([batch]) }
                    let clock = ContinuousClock()
                    benchmark.startMeasurement()
                    let start = clock.now
                    for batch in batches[measured...] { await aggregator.ingest([batch]) }
                    let elapsed = start.duration(to: clock.now)
                    benchmark.stopMeasurement()
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    benchmark.measurement(keysPerSecond, Int(Double(slice) / seconds))
                    blackHole(await aggregator.statistics.events)
                },
                setup: { newKeyBatches(keys: size, campaigns: campaigns) })
        }
    }
}
