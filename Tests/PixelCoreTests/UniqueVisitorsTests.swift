@testable import PixelCore
import PixelPulseTesting
import Testing

/// Unique visitors per window: each window's estimate is exactly what a plain HyperLogLog
/// of that window's visitors gives, however the windows slide and however late events
/// come; and that estimate is close to the true count.
@Suite struct UniqueVisitorsTests {
    static let t0 = WindowStoreTests.t0

    /// A plain HyperLogLog of `visitors`.
    static func plainEstimate(_ visitors: some Sequence<UInt64>) -> UInt64 {
        var registers = [UInt8](repeating: 0, count: UniqueSketch.registerCount)
        for visitor in visitors {
            let (register, rank) = UniqueSketch.register(of: visitor)
            registers[register] = max(registers[register], rank)
        }
        return UniqueSketch.estimate(registers: registers)
    }

    /// Eight sets of visitors per size, each visitor recorded three times (repeat visits
    /// are not new visitors): small sets are counted within a visitor or two; large ones
    /// with a root-mean-square error near the 1.6 % standard error, none off by 5 of them.
    @Test(arguments: [1, 2, 10, 100, 1000, 5000, 20_000, 100_000])
    func estimatesAreCloseToTheTrueCount(_ count: Int) {
        var squares = 0.0
        for seed in 0..<UInt64(8) {
            var store = WindowStore()
            let key = store.makeKey(countingUniques: true)
            store.advance(to: Self.t0)
            var rng = SplitMix64(seed: UInt64(count) &* 31 &+ seed)
            let visitors = (0..<count).map { _ in rng.next() }
            for round in 0..<3 {
                for visitor in visitors { store.record(.view, visitor: visitor, at: Self.t0 - Int64(round), key: key) }
            }
            let counts = store.counts(key: key)
            #expect(counts.allSatisfy { $0.uniques == counts[0].uniques && $0.views == UInt64(3 * count) })
            let error = Double(counts[0].uniques!) - Double(count)
            squares += (error / Double(count)) * (error / Double(count))
            let tolerance = count <= 100 ? 2 : 5 * 0.0163 * Double(count)
            #expect(abs(error) <= tolerance, "estimated \(counts[0].uniques!) of \(count)")
        }
        #expect((squares / 8).squareRoot() <= (count <= 100 ? 0.02 : 0.025))
    }

    @Test func keysWithoutASketchHaveNoUniquesAndAnEmptyOneHasZero() {
        var store = WindowStore()
        let pixel = store.makeKey()
        let rollup = store.makeKey(countingUniques: true)
        store.advance(to: Self.t0)
        let empty = store.counts(key: rollup).map(\.uniques)
        #expect(empty == [0, 0, 0, 0])
        store.record(.view, visitor: 7, at: Self.t0, key: pixel)
        store.record(.view, at: Self.t0, key: rollup)  // no visitor hash (Do-Not-Track)
        let pixelUniques = store.counts(key: pixel).map(\.uniques)
        #expect(pixelUniques == [nil, nil, nil, nil])
        let withoutVisitor = store.counts(key: rollup).map(\.uniques)
        #expect(withoutVisitor == [0, 0, 0, 0])
        store.record(.click, visitor: 7, at: Self.t0, key: rollup)
        let one = store.counts(key: rollup, window: 2).uniques
        #expect(one == 1)
    }

    /// Random traffic over three hours with late events, big and small bursts, and quiet
    /// spells; at every step each window's estimate equals a plain HyperLogLog over exactly
    /// the visitors whose events that window counts.
    @Test(arguments: WindowStoreTests.configurations.indices)
    func everyWindowEstimatesExactlyItsOwnVisitors(_ configurationIndex: Int) {
        let configuration = WindowStoreTests.configurations[configurationIndex]
        var store = WindowStore(configuration: configuration)
        let key = store.makeKey(countingUniques: true)
        var rng = SplitMix64(seed: 7 &+ UInt64(configurationIndex))
        let longest = configuration.windows.last!.length
        var time = Self.t0
        var events: [(time: Int64, visitor: UInt64)] = []
        for round in 0..<300 {
            time += Int64(rng.next() % UInt64(longest / 30))
            store.advance(to: time)
            // Bursts up to 3000 visitors (the sketch turns dense and its runs grow), drawn
            // from a pool so that visitors come back.
            let burst = rng.next() % 4 == 0 ? Int(rng.next() % 3000) : Int(rng.next() % 20)
            for event in 0..<burst {
                let late = rng.next() % 3 == 0 ? Int64(rng.next() % UInt64(configuration.grace + 1)) : 0
                let visitor = rng.next() % 50_000
                if store.record(.view, visitor: visitor, at: time - late, key: key) == .accepted {
                    events.append((min(time - late, store.now), visitor))
                }
                // Read mid-burst too: the windows have not slid since, so the sketch's sums
                // were kept up to date by the inserts rather than summed again.
                if round % 5 == 0, event == burst / 2 { check(&store, round: round) }
            }
            if round % 5 == 0 { check(&store, round: round) }
        }
        func check(_ store: inout WindowStore, round: Int) {
            let counts = store.counts(key: key)
            for (index, window) in configuration.windows.enumerated() {
                let covered = events.filter { ($0.time / window.step) > (store.now / window.step) - Int64(window.slots) }
                #expect(counts[index].views == UInt64(covered.count), "the reference covers what the counters count")
                #expect(counts[index].uniques == Self.plainEstimate(covered.map(\.visitor)),
                        "round \(round), window \(window.name)")
            }
        }
        time += 2 * longest
        store.advance(to: time)
        let idle = store.isIdle(key: key)
        let uniques = store.counts(key: key).map(\.uniques)
        #expect(idle)
        #expect(uniques == Array(repeating: 0, count: configuration.windows.count))
    }

    /// Units are packed in 26 bits above a base: a sketch used 2²⁶ units after it began
    /// moves its base, drops what expired, and goes on exactly, listed or dense.
    @Test(arguments: [100, 5000])
    func aSketchGoesOnPastTwoToTheTwentySixUnits(_ visitors: Int) {
        var sketch = UniqueSketch()
        for visitor in 0..<UInt64(visitors) { sketch.insert(visitor: visitor, unit: 10, oldest: 0) }
        #expect(sketch.estimates(from: [0]) == [Self.plainEstimate(0..<UInt64(visitors))])
        let later: UInt32 = 10 + (1 << 26) + 77
        let newcomers = (0..<UInt64(visitors)).map { $0 + 1_000_000 }
        for (index, visitor) in newcomers.enumerated() {
            sketch.insert(visitor: visitor, unit: later + UInt32(index % 50), oldest: later - 3600)
        }
        let recent = newcomers.enumerated().filter { $0.offset % 50 >= 25 }.map(\.element)
        #expect(sketch.estimates(from: [later - 3600, later + 25]) == [Self.plainEstimate(newcomers), Self.plainEstimate(recent)])
    }

    @Test func aBusySketchCostsTensOfKilobytesAndAQuietOneBytes() {
        var sketch = UniqueSketch()
        for visitor in 0..<UInt64(10) { sketch.insert(visitor: visitor, unit: 5, oldest: 0) }
        #expect(sketch.byteCount <= 80)
        for visitor in 0..<UInt64(1_000_000) { sketch.insert(visitor: visitor, unit: UInt32(visitor / 1000), oldest: 0) }
        #expect(sketch.byteCount <= UniqueSketch.registerCount * 16 * 4)
    }
}
