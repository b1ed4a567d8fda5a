#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Unique visitors of one key over every sliding window at once: a sliding HyperLogLog.
///
/// A HyperLogLog keeps, per register, the highest rank (leading zeros + 1) of the hashes
/// that fell into it. Here a register keeps instead every (time unit, rank) pair that is
/// still the highest of *some* window ending now: a pair is dropped as soon as a later pair
/// of at least its rank arrives, so a register holds a short run whose ranks fall as time
/// rises (a few pairs: about the log₂ of its visitors). A window's register value is the
/// rank of the first pair inside the window, so every window is estimated from the same
/// pairs with the same time resolution as the counters, and a window's estimate is the
/// estimate a plain HyperLogLog of exactly that window's visitors would give.
///
/// 2¹² registers: a standard error of 1.04 / √4096 ≈ 1.6 %; small sets are counted within
/// a visitor or two of exact, and no size is biased (see ``estimate(_:)``).
///
/// Storage grows with the visitors. A pair takes 32 bits: its unit, less the sketch's
/// ``base``, above its rank. Up to ``denseThreshold`` pairs are kept in one sorted list (8
/// bytes a pair, with the register), past it in a fixed number of slots per register (4
/// bytes a slot, a register's slots side by side, so an insert touches one cache line),
/// doubled when a register's run outgrows them. Both give the same estimates.
struct UniqueSketch {
    static let precision = 12
    static let registerCount = 1 << precision
    /// The most pairs kept as a list.
    static let denseThreshold = 2048
    /// Bits of a packed pair below its unit: the rank (at most 64 − 12 + 1 = 53).
    private static let rankBits: UInt32 = 6
    /// Units are kept relative to ``base`` in the remaining 26 bits.
    private static let unitLimit: UInt32 = 1 << (32 - rankBits)

    /// The unit packed pairs count from; moved forward (dropping what has expired) before
    /// a unit would no longer fit, about once every 2²⁶ units.
    var base: UInt32 = 0
    /// While sparse: `register << 32 | pair`, sorted, so a register's run is contiguous and
    /// in time order.
    var sparse: [UInt64] = []
    /// While dense: register *r*'s run is the non-zero prefix of slots `r × slots ..< (r + 1) × slots`.
    var dense: [UInt32] = []
    var slots = 0
    /// Per window, as last read: its first unit, Σ 2^(53 − value) over the registers (in
    /// integers, so that a sum kept up to date equals one recomputed) and the empty
    /// registers. Inserts keep them exact; a window is summed again only when it slides.
    private var sums: [WindowSum?] = []

    private struct WindowSum {
        var start: UInt32
        var sum: UInt128
        var zeros: Int
    }

    init() {}

    /// Bytes held (allocator overhead not included).
    var byteCount: Int { slots == 0 ? sparse.count * 8 : dense.count * 4 }

    /// Adds a visitor seen in time unit `unit` (relative to the store's epoch); pairs
    /// older than `oldest` (no window covers them any more) are dropped from its register.
    mutating func insert(visitor: UInt64, unit: UInt32, oldest: UInt32) {
        guard unit >= oldest else { return }
        // A window summed with a start before `oldest` has slid since: it is summed again at
        // the next read, and cannot be kept up to date from runs that lose what expired.
        for window in sums.indices where sums[window].map({ $0.start < oldest }) ?? false { sums[window] = nil }
        if unit - base >= Self.unitLimit { rebase(to: oldest) }
        let (register, rank) = Self.register(of: visitor)
        let (at, since) = (unit - base, offset(of: oldest))
        let pair = at << Self.rankBits | UInt32(rank)
        if slots == 0 {
            let tag = UInt64(register) << 32
            let start = Self.firstIndex(in: 0..<sparse.count) { sparse[$0] >= tag }
            let end = Self.firstIndex(in: start..<sparse.count) { sparse[$0] >= tag + (1 << 32) }
            let pairAt = { UInt32(truncatingIfNeeded: sparse[start + $0]) }
            raise(to: rank, values(before: at, count: end - start, pairAt: pairAt))
            guard let edit = Self.edit(unit: at, rank: rank, oldest: since, count: end - start, pairAt: pairAt) else { return }
            if let replaced = edit.replaced {
                sparse.replaceSubrange(start + replaced.lowerBound..<start + replaced.upperBound, with: CollectionOfOne(tag | UInt64(pair)))
            }
            sparse.removeSubrange(start..<start + edit.expired)
            if sparse.count > Self.denseThreshold { makeDense(slots: 4) }
        } else {
            var first = register * slots
            var count = 0
            while count < slots, dense[first + count] != 0 { count += 1 }
            raise(to: rank, values(before: at, count: count, pairAt: { dense[first + $0] }))
            guard let edit = Self.edit(unit: at, rank: rank, oldest: since, count: count, pairAt: { dense[first + $0] }) else { return }
            let replaced = edit.replaced ?? count..<count
            let newCount = count - edit.expired - replaced.count + (edit.replaced == nil ? 0 : 1)
            if newCount > slots {
                makeDense(slots: slots * 2)
                first = register * slots
            }
            // Keep [expired, lower), then the new pair, then [upper, count), from slot 0 on.
            move(from: first + edit.expired, to: first, count: replaced.lowerBound - edit.expired)
            if edit.replaced != nil {
                let to = first + replaced.lowerBound - edit.expired
                move(from: first + replaced.upperBound, to: to + 1, count: count - replaced.upperBound)
                dense[to] = pair
            }
            if newCount < count {
                for slot in first + newCount..<first + count { dense[slot] = 0 }
            }
        }
    }

    /// `unit` relative to ``base``, clamped to what a packed pair can hold: a threshold
    /// that compares with packed units as `unit` does with real ones.
    private func offset(of unit: UInt32) -> UInt32 {
        unit <= base ? 0 : min(unit - base, Self.unitLimit)
    }

    @inline(__always) private static func unit(of pair: UInt32) -> UInt32 { pair >> rankBits }
    @inline(__always) static func rank(of pair: UInt32) -> UInt8 { UInt8(truncatingIfNeeded: pair & (1 << rankBits - 1)) }

    /// Moves ``base`` to `newBase`, dropping the pairs before it.
    private mutating func rebase(to newBase: UInt32) {
        let shift = (newBase - base) << Self.rankBits
        let old = (sparse, dense, slots)
        (sparse, dense) = ([], [])
        if slots > 0 { dense = Array(repeating: 0, count: old.1.count) }
        var next = (register: -1, slot: 0)
        Self.forEachPair(sparse: old.0, dense: old.1, slots: old.2) { register, pair in
            guard pair >= shift else { return }
            if slots == 0 {
                sparse.append(UInt64(register) << 32 | UInt64(pair - shift))
            } else {
                next = (register, register == next.register ? next.slot + 1 : 0)
                dense[register * slots + next.slot] = pair - shift
            }
        }
        base = newBase
    }

    /// A register's value in each summed window that covers `unit` (the rank of its first
    /// pair in the window, 0 without one), before a pair at `unit` arrives; 0xFF for the
    /// others. Windows are at most ``WindowConfiguration/maxWindows``.
    @inline(__always)
    private func values(before unit: UInt32, count: Int, pairAt: (Int) -> UInt32) -> SIMD8<UInt8> {
        var values = SIMD8<UInt8>(repeating: 0xFF)
        for (window, summed) in sums.enumerated() {
            guard let summed else { continue }
            let start = offset(of: summed.start)
            guard unit >= start else { continue }
            var index = 0
            while index < count, Self.unit(of: pairAt(index)) < start { index += 1 }
            values[window] = index < count ? Self.rank(of: pairAt(index)) : 0
        }
        return values
    }

    /// Updates the sums for a pair of `rank` arriving in a register with these `values`:
    /// in each window that covers it, the register's value becomes the higher of the two
    /// (the pairs the new one displaces rank no higher).
    @inline(__always)
    private mutating func raise(to rank: UInt8, _ values: SIMD8<UInt8>) {
        for window in sums.indices where values[window] != 0xFF && rank > values[window] {
            sums[window]!.sum += Self.weight(rank)
            sums[window]!.sum -= Self.weight(values[window])
            if values[window] == 0 { sums[window]!.zeros -= 1 }
        }
    }

    /// How (unit, rank) changes a register's run of `count` pairs: which leading pairs have
    /// expired, and which pairs the new one replaces (those it outranks, and any of its unit);
    /// `nil` when nothing changes.
    @inline(__always)
    private static func edit(
        unit: UInt32, rank: UInt8, oldest: UInt32, count: Int, pairAt: (Int) -> UInt32
    ) -> (expired: Int, replaced: Range<Int>?)? {
        var expired = 0
        while expired < count, Self.unit(of: pairAt(expired)) < oldest { expired += 1 }
        var upper = firstIndex(in: 0..<count) { Self.unit(of: pairAt($0)) >= unit }
        if upper < count, Self.rank(of: pairAt(upper)) >= rank {
            // A pair at least as late and as high: the new one is never a window's highest.
            return expired > 0 ? (expired, nil) : nil
        }
        var lower = upper
        while lower > 0, Self.rank(of: pairAt(lower - 1)) <= rank { lower -= 1 }
        while upper < count, Self.unit(of: pairAt(upper)) == unit { upper += 1 }
        return (min(expired, lower), lower..<upper)
    }

    /// The first index in `range` where `isAbove` holds, given it holds from there on.
    @inline(__always)
    private static func firstIndex(in range: Range<Int>, where isAbove: (Int) -> Bool) -> Int {
        var low = range.lowerBound
        var high = range.upperBound
        while low < high {
            let middle = (low + high) / 2
            if isAbove(middle) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// Moves dense slots; the ranges may overlap.
    private mutating func move(from source: Int, to destination: Int, count: Int) {
        guard count > 0, source != destination else { return }
        for step in 0..<count {
            let index = source > destination ? step : count - 1 - step
            dense[destination + index] = dense[source + index]
        }
    }

    private mutating func makeDense(slots newSlots: Int) {
        var grown = [UInt32](repeating: 0, count: Self.registerCount * newSlots)
        var next = (register: -1, slot: 0)
        Self.forEachPair(sparse: sparse, dense: dense, slots: slots) { register, pair in
            next = (register, register == next.register ? next.slot + 1 : 0)
            grown[register * newSlots + next.slot] = pair
        }
        sparse = []
        dense = grown
        slots = newSlots
    }

    /// Calls `body` with every pair, by register and within a register in time order.
    private static func forEachPair(
        sparse: [UInt64], dense: [UInt32], slots: Int, _ body: (_ register: Int, _ pair: UInt32) -> Void
    ) {
        if slots == 0 {
            for pair in sparse { body(Int(pair >> 32), UInt32(truncatingIfNeeded: pair)) }
        } else {
            for register in 0..<registerCount {
                for slot in register * slots..<(register + 1) * slots {
                    guard dense[slot] != 0 else { break }
                    body(register, dense[slot])
                }
            }
        }
    }

    /// The estimated unique visitors of each window, given as the first unit it covers.
    mutating func estimates(from starts: [UInt32]) -> [UInt64] {
        if sums.count != starts.count { sums = Array(repeating: nil, count: starts.count) }
        let slid = starts.indices.filter { sums[$0]?.start != starts[$0] }
        if !slid.isEmpty {
            // A register's value in a window is the rank of its first pair inside the window.
            var fresh = slid.map { WindowSum(start: starts[$0], sum: UInt128(Self.registerCount) * Self.weight(0), zeros: Self.registerCount) }
            let thresholds = slid.map { offset(of: starts[$0]) }
            var counted = [Int](repeating: -1, count: slid.count)
            Self.forEachPair(sparse: sparse, dense: dense, slots: slots) { register, pair in
                for index in fresh.indices where counted[index] != register && Self.unit(of: pair) >= thresholds[index] {
                    counted[index] = register
                    fresh[index].sum = fresh[index].sum - Self.weight(0) + Self.weight(Self.rank(of: pair))
                    fresh[index].zeros -= 1
                }
            }
            for (index, window) in slid.enumerated() { sums[window] = fresh[index] }
        }
        return sums.map { Self.estimate($0!) }
    }

    /// A visitor's register, and its rank there.
    static func register(of visitor: UInt64) -> (register: Int, rank: UInt8) {
        let hash = mix(visitor)
        return (Int(hash >> (64 - precision)), UInt8(min((hash << precision).leadingZeroBitCount, 64 - precision) + 1))
    }

    /// The estimate of a plain HyperLogLog with these register values.
    static func estimate(registers: [UInt8]) -> UInt64 {
        estimate(WindowSum(start: 0, sum: registers.reduce(0) { $0 + weight($1) }, zeros: registers.count { $0 == 0 }))
    }

    /// The estimate from Σ 2^-register and the count of empty registers: Ertl's improved
    /// estimator ("New cardinality estimation algorithms for HyperLogLog sketches", 2017),
    /// one formula over the whole range. Plain HyperLogLog switches from linear counting to
    /// its raw estimate at 2.5 m, and is biased by about a standard error either side of the
    /// switch; this one has no switch, and no bias there that a sweep of sizes can see. With
    /// 64-bit hashes no register reaches the top rank in practice, so its correction term is
    /// left out.
    private static func estimate(_ summed: WindowSum) -> UInt64 {
        let m = Double(registerCount)
        guard summed.zeros < registerCount else { return 0 }
        // Σ over the registers that are not empty of 2^-value.
        let filled = Double(summed.sum - UInt128(summed.zeros) * weight(0)) / Double(weight(0))
        let estimate = m * m / (2 * log(2.0)) / (m * sigma(Double(summed.zeros) / m) + filled)
        return UInt64(estimate.rounded())
    }

    /// The standard error of an estimate of `estimate` visitors, rounded to a visitor: that
    /// of linear counting while it is the smaller, √(m (e^t − t − 1)) with t = n / m (a small
    /// set is counted almost exactly), then HyperLogLog's 1.04 n / √m. About 68 % of
    /// estimates fall within one standard error of the true count, 95 % within two.
    public static func standardError(of estimate: UInt64) -> UInt64 {
        let (m, n) = (Double(registerCount), Double(estimate))
        let t = n / m
        let linear = (m * (exp(t) - t - 1)).squareRoot()
        return UInt64(min(linear, 1.04 * n / m.squareRoot()).rounded())
    }

    /// σ(x) = x + Σₖ x^(2^k) 2^(k−1), for 0 ≤ x < 1: the empty registers' part of the
    /// estimator, summed until it no longer changes.
    private static func sigma(_ x: Double) -> Double {
        var (power, weight, sum) = (x, 1.0, x)
        while true {
            power *= power
            let next = sum + power * weight
            if next == sum { return sum }
            sum = next
            weight *= 2
        }
    }

    /// 2⁻ʳ in units of 2⁻⁵³ (the highest rank is 64 − 12 + 1 = 53).
    @inline(__always)
    private static func weight(_ rank: UInt8) -> UInt128 { UInt128(1) << (53 - Int(rank)) }

    /// Visitor hashes are salted hashes already; mixing again (SplitMix64's finaliser)
    /// guards the registers against any structure left in them.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
