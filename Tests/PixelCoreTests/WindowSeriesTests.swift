@testable import PixelCore
import Testing

@Suite struct WindowSeriesTests {
    static let t0: Int64 = 1_790_000_000_000

    @Test func anHourByTheMinuteEndsWithTheCurrentMinute() {
        var store = WindowStore()
        let key = store.makeKey()
        let now = Self.t0 / 60_000 * 60_000 + 30_000
        store.advance(to: now)
        store.record(.view, count: 3, at: now, key: key)
        store.record(.click, at: now - 60_000, key: key)
        store.record(.conversion, value: 1999, at: now - 59 * 60_000, key: key)
        store.record(.bot, at: now - 10 * 60_000, key: key)
        let series = store.series(key: key, window: 3)
        #expect(series.slots.count == 60)
        #expect(series.step == 60_000)
        #expect(series.start == now - 30_000 - 59 * 60_000)
        #expect(series.slots[59] == Counts(views: 3))
        #expect(series.slots[58] == Counts(clicks: 1))
        #expect(series.slots[49] == Counts(bots: 1))
        #expect(series.slots[0] == Counts(conversions: 1, value: 1999))
    }

    @Test func aBusyKeysFinerRingsAreSummedIntoTheWindowsSteps() {
        var store = WindowStore()
        let key = store.makeKey()
        let start = Self.t0 / 60_000 * 60_000
        for second in 0..<(50 * 60) {
            store.advance(to: start + Int64(second) * 1000)
            store.record(.view, at: store.now, key: key)
        }
        let series = store.series(key: key, window: 3)
        #expect(Array(series.slots.suffix(50)) == Array(repeating: Counts(views: 60), count: 50))
        #expect(Array(series.slots.prefix(10)) == Array(repeating: Counts(), count: 10))
        let minute = store.series(key: key, window: 0)
        #expect(minute.slots == Array(repeating: Counts(views: 1), count: 60))
    }

    /// Random streams, each series checked against ``ReferenceWindows`` and its window's total.
    @Test(arguments: WindowStoreTests.configurations.indices)
    func agreesWithTheBruteForceReference(_ configurationIndex: Int) {
        let configuration = WindowStoreTests.configurations[configurationIndex]
        let longest = configuration.windows.last!.length
        for seed in 0..<300 as Range<UInt64> {
            var rng = SplitMix64(seed: seed &* 104_729 &+ UInt64(configurationIndex))
            var store = WindowStore(configuration: configuration)
            var reference = ReferenceWindows(configuration: configuration)
            let keyCount = Int.random(in: 1...4, using: &rng)
            for _ in 0..<keyCount { _ = store.makeKey() }
            var clock = Self.t0 + Int64.random(in: 0..<3_600_000, using: &rng)
            store.advance(to: clock)
            reference.advance(to: clock)
            let busy = Bool.random(using: &rng)
            func check(key: Int, window: Int, _ note: String) {
                let observed = store.series(key: key, window: window)
                let expected = reference.series(key: key, window: window)
                #expect(observed.start == expected.start, "seed \(seed) \(note) key \(key) window \(window)")
                #expect(observed.slots == expected.slots, "seed \(seed) \(note) key \(key) window \(window)")
                var counts = store.counts(key: key, window: window)
                counts.uniques = nil
                #expect(observed.total == counts, "seed \(seed) \(note) key \(key) window \(window)")
            }
            for _ in 0..<Int.random(in: 50...400, using: &rng) {
                switch Int.random(in: 0..<100, using: &rng) {
                case 0..<3:  // the clock jumps: every window slides
                    clock += Int64.random(in: 60_000...(3 * longest), using: &rng)
                case 3..<25:
                    clock += Int64.random(in: 0...(busy ? 700 : 20_000), using: &rng)
                case 25..<40:
                    check(key: Int.random(in: 0..<keyCount, using: &rng),
                          window: Int.random(in: 0..<configuration.windows.count, using: &rng), "")
                    continue
                default:
                    let key = Int.random(in: 0..<keyCount, using: &rng)
                    let kind = EventKind.allCases.randomElement(using: &rng)!
                    let value = kind == .conversion ? UInt64.random(in: 0...(1 << 40), using: &rng) : 0
                    let count = UInt32(Int.random(in: 0..<50, using: &rng) == 0 ? Int.random(in: 1...100_000, using: &rng) : 1)
                    // Mostly near the newest time; some late (as far as the grace), some early.
                    let offset: Int64 = switch Int.random(in: 0..<10, using: &rng) {
                    case 0: -Int64.random(in: 0...(configuration.grace + 10_000), using: &rng)
                    case 1: Int64.random(in: 0...(configuration.futureTolerance + 3000), using: &rng)
                    default: -Int64.random(in: 0...3000, using: &rng)
                    }
                    let time = reference.now + offset
                    _ = reference.record(kind, value: value, count: count, at: time, key: key)
                    store.record(kind, value: value, count: count, at: time, key: key)
                    continue
                }
                store.advance(to: clock)
                reference.advance(to: clock)
            }
            for key in 0..<keyCount {
                for window in configuration.windows.indices { check(key: key, window: window, "final") }
            }
        }
    }
}
