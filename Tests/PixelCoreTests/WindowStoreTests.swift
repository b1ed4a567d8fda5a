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
        for seed in 0..<700 as Range<UInt64> {
            RandomWindowStream(configuration: configuration, seed: seed &* 7919 &+ UInt64(configurationIndex)).run(
                read: { store, reference, key, window, note in
                    let observed = store.counts(key: key, window: window)
                    #expect(observed == reference.counts(key: key, window: window), "seed \(seed) \(note) key \(key) window \(window)")
                },
                recorded: { outcome, expected in #expect(outcome == expected, "seed \(seed)") },
                finished: { store, reference in
                    let counts = store.refusals
                    #expect(counts == reference.refusals)
                })
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
