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
        for seed in 0..<300 as Range<UInt64> {
            RandomWindowStream(configuration: configuration, seed: seed &* 104_729 &+ UInt64(configurationIndex)).run(
                read: { store, reference, key, window, note in
                    let observed = store.series(key: key, window: window)
                    let expected = reference.series(key: key, window: window)
                    #expect(observed.start == expected.start, "seed \(seed) \(note) key \(key) window \(window)")
                    #expect(observed.slots == expected.slots, "seed \(seed) \(note) key \(key) window \(window)")
                    var counts = store.counts(key: key, window: window)
                    counts.uniques = nil
                    #expect(observed.total == counts, "seed \(seed) \(note) key \(key) window \(window)")
                })
        }
    }
}
