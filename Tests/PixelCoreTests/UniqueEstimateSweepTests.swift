@testable import PixelCore
import PixelPulseTesting
import Testing

/// The unique-visitor estimate across the whole range, 1 to 10⁶ visitors: unbiased where
/// plain HyperLogLog is weakest too, between linear counting and the raw estimate (about
/// 5 000 to 20 000 visitors at 2¹² registers).
@Suite struct UniqueEstimateSweepTests {
    /// A standard error of the estimate of `count` visitors: 1.04 / √m of it, and at least
    /// one visitor (estimates are whole numbers).
    static func standardError(_ count: Int) -> Double {
        max(1, 1.04 / Double(UniqueSketch.registerCount).squareRoot() * Double(count))
    }

    /// The standard error published with an estimate: linear counting's while it is the
    /// smaller, then HyperLogLog's.
    @Test func theStandardErrorFollowsTheEstimate() {
        let errors = [0, 1, 31, 97, 1000, 5000, 10_000, 1_000_000].map { UniqueSketch.standardError(of: $0) }
        #expect(errors == [0, 0, 0, 1, 12, 69, 163, 16_250])
        #expect(Counts(uniques: 10_000).uniquesError == 163)
        #expect(Counts().uniquesError == nil)
    }

    static let sizes = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 3000, 5000, 7000, 8000, 9000, 10_000,
                        11_000, 12_000, 15_000, 20_000, 30_000, 50_000, 100_000, 300_000, 1_000_000]

    /// Sixteen independent sets of visitors, each grown through every size of the sweep: at
    /// each size the mean of the sixteen estimates is within one standard error of the true
    /// count, and no estimate is off by four. (The mean's own noise is a quarter of a
    /// standard error; plain HyperLogLog's mean is 1.5 off at 10 000 visitors and fails.)
    @Test func theEstimateIsUnbiasedAtEverySize() {
        let seeds = 16
        var estimates = [[Double]](repeating: [], count: Self.sizes.count)
        for seed in 0..<seeds {
            var sketch = UniqueSketch()
            var rng = SplitMix64(seed: 1000 + UInt64(seed))
            var added = 0
            for (index, size) in Self.sizes.enumerated() {
                while added < size {
                    sketch.insert(visitor: rng.next(), unit: 0, oldest: 0)
                    added += 1
                }
                estimates[index].append(Double(sketch.estimates(from: [0])[0]))
            }
        }
        // The published standard error is honest: estimates are off by about one of it.
        var squares = (sum: 0.0, count: 0)
        for (index, size) in Self.sizes.enumerated() where size >= 1000 {
            for estimate in estimates[index] {
                let published = Double(UniqueSketch.standardError(of: UInt64(estimate)))
                squares.sum += (estimate - Double(size)) * (estimate - Double(size)) / (published * published)
                squares.count += 1
            }
        }
        let rms = (squares.sum / Double(squares.count)).squareRoot()
        #expect(rms > 0.7 && rms < 1.3, "estimates are off by \(rms) of their published standard error")
        for (index, size) in Self.sizes.enumerated() {
            let error = Self.standardError(size)
            let mean = estimates[index].reduce(0, +) / Double(seeds)
            #expect(abs(mean - Double(size)) <= error,
                    "\(size) visitors: mean estimate \(mean), \(((mean - Double(size)) / error * 100).rounded() / 100) standard errors off")
            let worst = estimates[index].map { abs($0 - Double(size)) }.max()!
            #expect(worst <= 4 * error, "\(size) visitors: an estimate \(worst) off")
        }
    }
}
