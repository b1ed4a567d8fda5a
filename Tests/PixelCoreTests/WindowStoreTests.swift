@testable import PixelCore
import Testing

@Suite struct WindowStoreTests {
    static let t0: Int64 = 1_790_000_000_000

    static let configurations: [WindowConfiguration] = [
        .standard,
        try! WindowConfiguration(
            windows: [WindowSpec(length: 60_000), WindowSpec(length: 120_000, step: 2000)],
            grace: 30_000, futureTolerance: 2000),
        try! WindowConfiguration(
            windows: [WindowSpec(length: 6000, step: 100), WindowSpec(length: 24_000, step: 200)],
            grace: 0, futureTolerance: 0),
        // Window lengths that are not whole multiples of the next window's step.
        try! WindowConfiguration(
            windows: [WindowSpec(length: 61_000, step: 1000), WindowSpec(length: 305_000, step: 5000),
                      WindowSpec(length: 1_230_000, step: 15_000)],
            grace: 600_000, futureTolerance: 1000),
    ]

    @Test func standardWindowsSlideByASixtiethOfTheirLength() {
        let windows = WindowConfiguration.standard.windows
        #expect(windows.map(\.name) == ["1m", "5m", "15m", "1h"])
        #expect(windows.map(\.step) == [1000, 5000, 15_000, 60_000])
        #expect(windows.allSatisfy { $0.slots == 60 })
    }

    @Test func countsAViewClickAndConversionInEveryWindow() {
        var store = WindowStore()
        let key = store.makeKey()
        store.advance(to: Self.t0)
        store.record(.view, at: Self.t0, key: key)
        store.record(.click, at: Self.t0, key: key)
        store.record(.conversion, value: 1999, at: Self.t0, key: key)
        for window in 0..<4 {
            do {
                let counts = store.counts(key: key, window: window)
                #expect(counts == Counts(views: 1, clicks: 1, conversions: 1, value: 1999))
            }
        }
        store.advance(to: Self.t0 + 60_000)
        do {
            let counts = store.counts(key: key, window: 0)
            #expect(counts.isZero)
        }
        do {
            let counts = store.counts(key: key, window: 1)
            #expect(counts.views == 1)
        }
        store.advance(to: Self.t0 + 3_600_000)
        do {
            let idle = store.isIdle(key: key)
            #expect(idle)
        }
    }

    @Test func botsCountApartWithoutValueOrVisitor() {
        var store = WindowStore()
        let key = store.makeKey(countingUniques: true)
        store.advance(to: Self.t0)
        store.record(.view, visitor: 1, at: Self.t0, key: key)
        store.record(.bot, value: 500, count: 3, visitor: 2, at: Self.t0, key: key)
        // Enough bots to move the key to rings, where they have lanes of their own.
        for second in 1...20 { store.record(.bot, at: Self.t0 - Int64(second) * 1000, key: key) }
        do {
            let counts = store.counts(key: key)
            #expect(counts[0] == Counts(views: 1, bots: 23, uniques: 1))
            #expect(counts[3] == Counts(views: 1, bots: 23, uniques: 1))
        }
        do {
            let bytes = store.byteCount(key: key)
            #expect(bytes > 128, "the key holds rings")
        }
        // 50 s on, the minute reaches back to 9 s before t0.
        store.advance(to: Self.t0 + 50_000)
        do {
            let counts = store.counts(key: key, window: 0)
            #expect(counts == Counts(views: 1, bots: 3 + 9, uniques: 1))
        }
    }

    @Test func refusesTooLateAndTooEarly() {
        var store = WindowStore(configuration: Self.configurations[1])
        let key = store.makeKey()
        store.advance(to: Self.t0)
        do {
            let outcome = store.record(.view, at: Self.t0 + 2001, key: key)
            #expect(outcome == .tooFarInFuture)
        }
        do {
            let outcome = store.record(.view, at: Self.t0 + 2000, key: key)
            #expect(outcome == .accepted)
        }
        do {
            let outcome = store.record(.view, at: Self.t0 + 2000 - 30_001, key: key)
            #expect(outcome == .tooLate)
        }
        do {
            let outcome = store.record(.view, at: -1, key: key)
            #expect(outcome == .tooLate)
        }
        do {
            let counts = store.refusals
            #expect(counts == WindowStore.Refusals(tooLate: 2, tooFarInFuture: 1))
        }
        do {
            let counts = store.accepted
            #expect(counts == 1)
        }
    }

    @Test func aLateEventCountsOnlyInWindowsThatStillCoverIt() {
        var store = WindowStore()
        let key = store.makeKey()
        store.advance(to: Self.t0)
        store.record(.view, at: Self.t0 - 120_000, key: key)
        do {
            let counts = store.counts(key: key)
            #expect(counts.map(\.views) == [0, 1, 1, 1])
        }
    }

    @Test func lanesWidenWithoutLosingCounts() {
        var store = WindowStore()
        let key = store.makeKey()
        store.advance(to: Self.t0)
        var expected: UInt64 = 0
        for count in [1, 300, 70_000, 5_000_000_000] as [UInt64] {
            for _ in 0..<9 { store.record(.view, count: UInt32(min(count, UInt64(UInt32.max))), at: Self.t0, key: key) }
            expected += 9 * min(count, UInt64(UInt32.max))
            store.record(.conversion, value: HitEvent.maxValue, at: Self.t0, key: key)
        }
        do {
            let counts = store.counts(key: key, window: 3)
            #expect(counts.views == expected)
        }
        do {
            let counts = store.counts(key: key, window: 3)
            #expect(counts.value == 4 * HitEvent.maxValue)
        }
    }

    @Test func aQuietKeyCostsUnder128Bytes() {
        var store = WindowStore()
        let key = store.makeKey()
        store.advance(to: Self.t0)
        for minute in 0..<4 {
            store.advance(to: Self.t0 + Int64(minute) * 60_000)
            store.record(minute == 3 ? .click : .view, at: store.now, key: key)
        }
        do {
            let bytes = store.byteCount(key: key)
            #expect(bytes <= 128)
        }
        do {
            let counts = store.counts(key: key, window: 3)
            #expect(counts == Counts(views: 3, clicks: 1))
        }
    }

    @Test func aBusyKeyMovesToRingsAndBackToNothingWhenIdle() {
        var store = WindowStore()
        let key = store.makeKey()
        for second in 0..<120 {
            store.advance(to: Self.t0 + Int64(second) * 1000)
            store.record(.view, at: store.now, key: key)
        }
        do {
            let bytes = store.byteCount(key: key)
            #expect(bytes > 128)
        }
        do {
            let counts = store.counts(key: key, window: 0)
            #expect(counts.views == 60)
        }
        do {
            let counts = store.counts(key: key, window: 3)
            #expect(counts.views == 120)
        }
        store.advance(to: Self.t0 + 5 * 3_600_000)
        do {
            let idle = store.isIdle(key: key)
            #expect(idle)
        }
        do {
            let bytes = store.byteCount(key: key)
            #expect(bytes == 0)
        }
    }

    /// Thousands of random streams, each checked against ``ReferenceWindows`` as it goes.
    @Test(arguments: configurations.indices)
    func agreesWithTheBruteForceReference(_ configurationIndex: Int) {
        let configuration = Self.configurations[configurationIndex]
        let longest = configuration.windows.last!.length
        for seed in 0..<700 as Range<UInt64> {
            var rng = SplitMix64(seed: seed &* 7919 &+ UInt64(configurationIndex))
            var store = WindowStore(configuration: configuration)
            var reference = ReferenceWindows(configuration: configuration)
            let keyCount = Int.random(in: 1...4, using: &rng)
            for _ in 0..<keyCount { _ = store.makeKey() }
            var clock = Self.t0 + Int64.random(in: 0..<3_600_000, using: &rng)
            store.advance(to: clock)
            reference.advance(to: clock)
            let busy = Bool.random(using: &rng)  // busy streams push keys into rings
            for _ in 0..<Int.random(in: 50...400, using: &rng) {
                switch Int.random(in: 0..<100, using: &rng) {
                case 0..<3:  // the clock jumps by minutes or hours
                    clock += Int64.random(in: 60_000...(3 * longest), using: &rng)
                case 3..<25:
                    clock += Int64.random(in: 0...(busy ? 700 : 20_000), using: &rng)
                case 25..<40:  // reads, which also advance rings lazily
                    let key = Int.random(in: 0..<keyCount, using: &rng)
                    let window = Int.random(in: 0..<configuration.windows.count, using: &rng)
                    do { let observed = store.counts(key: key, window: window); #expect(observed == reference.counts(key: key, window: window),
                            "seed \(seed) key \(key) window \(window)") }
                    continue
                default:
                    let key = Int.random(in: 0..<keyCount, using: &rng)
                    let kind = EventKind.allCases.randomElement(using: &rng)!
                    let value = kind == .conversion ? UInt64.random(in: 0...(Bool.random(using: &rng) ? 500 : 1 << 40), using: &rng) : 0
                    let count = UInt32(Int.random(in: 0..<50, using: &rng) == 0 ? Int.random(in: 1...100_000, using: &rng) : 1)
                    // Mostly near the newest time; some late, out of order, too late or early.
                    let offset: Int64 = switch Int.random(in: 0..<10, using: &rng) {
                    case 0: -Int64.random(in: 0...(configuration.grace + 10_000), using: &rng)
                    case 1: Int64.random(in: 0...(configuration.futureTolerance + 3000), using: &rng)
                    default: -Int64.random(in: 0...3000, using: &rng)
                    }
                    let time = reference.now + offset
                    let expected = reference.record(kind, value: value, count: count, at: time, key: key)
                    do {
                        let outcome = store.record(kind, value: value, count: count, at: time, key: key)
                        #expect(outcome == expected, "seed \(seed)")
                    }
                    continue
                }
                store.advance(to: clock)
                reference.advance(to: clock)
            }
            for key in 0..<keyCount {
                for window in configuration.windows.indices {
                    do { let observed = store.counts(key: key, window: window); #expect(observed == reference.counts(key: key, window: window),
                            "seed \(seed) final key \(key) window \(window)") }
                }
            }
            do {
                let counts = store.refusals
                #expect(counts == reference.refusals)
            }
        }
    }

    @Test func rejectsBadConfigurations() throws {
        #expect(throws: WindowConfigurationError.slotCount(length: 60_000, step: 2000)) {
            try WindowSpec(length: 60_000, step: 2000)
        }
        #expect(throws: WindowConfigurationError.lengthNotMultipleOfStep(length: 60_000, step: 7000)) {
            try WindowSpec(length: 60_000, step: 7000)
        }
        #expect(throws: WindowConfigurationError.noWindows) { try WindowConfiguration(windows: []) }
        #expect(throws: WindowConfigurationError.graceOutOfRange(3_600_001)) {
            try WindowConfiguration(windows: [WindowSpec(length: 3_600_000)], grace: 3_600_001)
        }
        #expect(throws: WindowConfigurationError.duplicateWindow("1m")) {
            try WindowConfiguration(windows: [WindowSpec(length: 60_000), WindowSpec(length: 60_000, step: 500)])
        }
        #expect(throws: WindowConfigurationError.stepsNotNested("1m", "90s")) {
            try WindowConfiguration(windows: [WindowSpec(length: 60_000), WindowSpec(length: 90_000, step: 1500)])
        }
        #expect(throws: WindowConfigurationError.windowsTooClose("119s", "2m")) {
            try WindowConfiguration(windows: [WindowSpec(length: 119_000, step: 1000), WindowSpec(length: 120_000, step: 2000)])
        }
        #expect(throws: WindowConfigurationError.unparsable("5 minutes")) { try WindowSpec(parsing: "5 minutes") }
        #expect(try WindowSpec(parsing: "15m") == WindowSpec(length: 900_000))
    }
}
