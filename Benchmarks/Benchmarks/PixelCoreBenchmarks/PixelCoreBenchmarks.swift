import Benchmark
import PixelCore

import CHeapStats

let t0: Int64 = 1_790_000_000_000

/// A 256-event batch with a realistic mix: mostly views, some clicks, few conversions.
func sampleBatch() -> EventBatch {
    var batch = EventBatch(collector: "edge-1", sequence: 1)
    for i in 0..<256 {
        let kind: EventKind = i % 50 == 0 ? .conversion : (i % 10 == 0 ? .click : .view)
        batch.append(HitEvent(
            time: t0 + Int64(i), kind: kind,
            campaign: CampaignID(unchecked: "campaign-\(i % 8)"), pixel: PixelID(unchecked: "pixel-\(i % 32)"),
            value: kind == .conversion ? 4999 : nil, visitor: UInt64(i) &* 0x9e37_79b9_7f4a_7c15,
            device: .mobile))
    }
    return batch
}

/// Fills `keys` keys with one hour of steady traffic, recording at the granularity each
/// window keeps, so that every slot of every window is in use: a busy key in steady state.
func fillBusy(_ store: inout WindowStore, keys: Int, viewsPerSecond: UInt32, clicksPerSecond: UInt32,
              conversionsPer10s: UInt32, now: Int64) {
    let points: [(from: Int64, step: Int64)] = [(3_600_000, 60_000), (900_000, 15_000), (300_000, 5000), (60_000, 1000)]
    for key in 0..<keys { precondition(store.makeKey() == key) }
    for (index, point) in points.enumerated() {
        let until: Int64 = index + 1 < points.count ? points[index + 1].from : 0
        var ago = point.from
        while ago > until {
            let time = now - ago + point.step - 1
            store.advance(to: time)
            let seconds = UInt32(point.step / 1000)
            for key in 0..<keys {
                store.record(.view, count: viewsPerSecond * seconds, at: time, key: key)
                if clicksPerSecond > 0 { store.record(.click, count: clicksPerSecond * seconds, at: time, key: key) }
                let conversions = conversionsPer10s * seconds / 10 + UInt32(key % 2)
                if conversionsPer10s > 0, conversions > 0 {
                    store.record(.conversion, value: UInt64(conversions) * 2000, count: conversions, at: time, key: key)
                }
            }
            ago -= point.step
        }
    }
    store.advance(to: now)
}

/// Makes `campaigns` keys that count unique visitors and gives each `visitors` new visitors,
/// spread over the last hour, then reads each once (as the aggregator's ticks do, so that
/// the sketches' window sums are kept from then on); returns the time reached.
func fillUniques(_ store: inout WindowStore, campaigns: Int, visitors: Int, random: inout UInt64) -> Int64 {
    for key in 0..<campaigns { precondition(store.makeKey(countingUniques: true) == key) }
    for index in 0..<visitors {
        let time = t0 - 3_600_000 + Int64(index) * 3_600_000 / Int64(visitors)
        store.advance(to: time)
        for key in 0..<campaigns {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            store.record(.view, visitor: random, at: time, key: key)
        }
    }
    store.advance(to: t0)
    for key in 0..<campaigns { blackHole(store.counts(key: key)) }
    return t0
}

func residentBytes() -> Int { Int(resident_bytes()) }

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], warmupIterations: 3, maxDuration: .seconds(2))

    let batch = sampleBatch()
    let encoded = batch.encoded()

    Benchmark("Codec encode 256-event batch") { benchmark in
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.count)
        for _ in benchmark.scaledIterations {
            bytes.removeAll(keepingCapacity: true)
            batch.encode(into: &bytes)
            blackHole(bytes)
        }
    }

    Benchmark("Codec decode 256-event batch") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try EventBatch.decode(encoded))
        }
    }

    // One iteration = 1000 events spread over `keys` busy keys; the clock moves 1 ms per
    // iteration, as it would at a million events a second.
    for keys in [100, 100_000] {
        Benchmark("Window update, 1000 events over \(keys) keys", configuration: .init(scalingFactor: .kilo)) { benchmark in
            var store = WindowStore()
            fillBusy(&store, keys: keys, viewsPerSecond: 20, clicksPerSecond: 1, conversionsPer10s: 1, now: t0)
            var time = t0
            var key = 0
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                time += 1
                store.advance(to: time)
                for i in 0..<1000 {
                    let kind: EventKind = i % 97 == 0 ? .conversion : (i % 19 == 0 ? .click : .view)
                    store.record(kind, value: kind == .conversion ? 2500 : 0, at: time, key: key)
                    key = (key &+ 7919) % keys
                }
            }
            benchmark.stopMeasurement()
            blackHole(store.accepted)
        }
    }

    Benchmark("Window read, all four windows", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var store = WindowStore()
        fillBusy(&store, keys: 1000, viewsPerSecond: 20, clicksPerSecond: 1, conversionsPer10s: 1, now: t0)
        var key = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for window in 0..<4 { blackHole(store.counts(key: key, window: window)) }
            key = (key + 1) % 1000
        }
    }

    // Unique visitors: campaign rollups, each event a new visitor. One iteration = 1000
    // events spread over the campaigns, the clock moving 1 ms per iteration. `visitors`
    // already seen per campaign: 500 keeps the sketches lists, 20 000 makes them dense
    // (64 KiB each: 100 campaigns fit in the cache, 1000 do not).
    for (campaigns, visitors) in [(1000, 500), (1000, 20_000), (100, 20_000)] {
        Benchmark("Unique visitors, 1000 new visitors over \(campaigns) campaigns holding \(visitors)", configuration: .init(scalingFactor: .kilo)) { benchmark in
            var store = WindowStore()
            var random: UInt64 = 1
            let time = fillUniques(&store, campaigns: campaigns, visitors: visitors, random: &random)
            benchmark.startMeasurement()
            for iteration in benchmark.scaledIterations {
                store.advance(to: time + Int64(iteration))
                for event in 0..<1000 {
                    random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    store.record(.view, visitor: random, at: time + Int64(iteration), key: event % campaigns)
                }
            }
            benchmark.stopMeasurement()
            blackHole(store.accepted)
        }
    }
    for visitors in [500, 20_000] {
        Benchmark("Unique visitors, read all four windows of a campaign holding \(visitors)", configuration: .init(scalingFactor: .kilo)) { benchmark in
            var store = WindowStore()
            var random: UInt64 = 1
            _ = fillUniques(&store, campaigns: 100, visitors: visitors, random: &random)
            var key = 0
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(store.counts(key: key))
                key = (key + 1) % 100
            }
        }
    }

    // Event ids: one iteration = 100 new ids (each in one of 100 campaigns) into a filter
    // already remembering `remembered` ids spread over the last day, the clock moving 1 ms per
    // iteration: 100 000 new ids per run, so the filter grows by at most a tenth. No limit is
    // reached (none forgotten). "bytes per id × 10" is bytes held ÷ ids remembered, × 10.
    let eventIDMetrics: [BenchmarkMetric] = [
        .wallClock, .throughput, .mallocCountTotal, .custom("bytes per id × 10", polarity: .prefersSmaller, useScalingFactor: false),
    ]
    for remembered in [1_000_000, 10_000_000] {
        Benchmark(
            "EventID filter, 100 new ids into \(remembered / 1_000_000)M remembered",
            configuration: .init(metrics: eventIDMetrics, warmupIterations: 1, scalingFactor: .kilo, maxDuration: .seconds(60), maxIterations: 5)
        ) { benchmark in
            var filter = EventIDFilter(limit: Int(UInt32.max))
            let day: Int64 = 86_400_000
            for number in 0..<remembered {
                _ = filter.insert(EventID(rawValue: UInt64(number)), scope: number % 100, now: t0 - day + Int64(number) * day / Int64(remembered))
            }
            var number = remembered
            var time = t0
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                time += 1
                for _ in 0..<100 {
                    blackHole(filter.insert(EventID(rawValue: UInt64(number)), scope: number % 100, now: time))
                    number += 1
                }
            }
            benchmark.stopMeasurement()
            benchmark.measurement(eventIDMetrics[3], filter.byteCount * 10 / filter.count)
        }
    }

    let memoryMetrics: [BenchmarkMetric] = [.custom("bytes per key", polarity: .prefersSmaller, useScalingFactor: false)]
    func memoryBenchmark(_ name: String, fill: @escaping @Sendable (inout WindowStore) -> Void) {
        Benchmark(name, configuration: .init(metrics: memoryMetrics, warmupIterations: 0, maxIterations: 1)) { benchmark in
            let before = residentBytes()
            var store = WindowStore()
            fill(&store)
            benchmark.measurement(memoryMetrics[0], (residentBytes() - before) / store.keyCount)
            blackHole(store.accepted)
                    }
    }

    memoryBenchmark("Memory per busy key, 100k keys, views only") { (store: inout WindowStore) in
        fillBusy(&store, keys: 100_000, viewsPerSecond: 20, clicksPerSecond: 0, conversionsPer10s: 0, now: t0)
    }
    memoryBenchmark("Memory per busy key, 100k keys, views clicks conversions") { (store: inout WindowStore) in
        fillBusy(&store, keys: 100_000, viewsPerSecond: 20, clicksPerSecond: 1, conversionsPer10s: 1, now: t0)
    }
    memoryBenchmark("Memory per quiet key, 100k keys, 4 events in the hour") { (store: inout WindowStore) in
        for key in 0..<100_000 { precondition(store.makeKey() == key) }
        for minute in stride(from: 45, through: 0, by: -15) {
            let time = t0 - Int64(minute) * 60_000
            store.advance(to: time)
            for key in 0..<100_000 { store.record(minute == 0 ? .click : .view, at: time, key: key) }
        }
    }
}
