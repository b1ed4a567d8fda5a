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

let benchmarks: @Sendable () -> Void = {
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
                    let clock = ContinuousClock()
                    benchmark.startMeasurement()
                    let start = clock.now
                    for batch in batches[half...] { await aggregator.ingest([batch]) }
                    let elapsed = start.duration(to: clock.now)
                    benchmark.stopMeasurement()
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    benchmark.measurement(keysPerSecond, Int(Double((batches.count - half) * batchSize) / seconds))
                    blackHole(await aggregator.statistics.events)
                },
                setup: { newKeyBatches(keys: size, campaigns: campaigns) })
        }
    }
}
