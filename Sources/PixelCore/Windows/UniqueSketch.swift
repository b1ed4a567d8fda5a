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
/// 2¹² registers: a standard error of 1.04 / √4096 ≈ 1.6 %; small sets are counted by
/// linear counting, within a visitor or two of exact.
///
/// Storage grows with the visitors: up to ``denseThreshold`` pairs are kept in one sorted
/// list (8 bytes a pair), past it in a fixed number of slots per register (5 bytes a
/// slot), doubled when a register's run outgrows them. Both give the same estimates.
struct UniqueSketch {
    static let precision = 12
    static let registerCount = 1 << precision
    /// The most pairs kept as a list.
    static let denseThreshold = 2048

    /// While sparse: pairs as `register << 40 | unit << 8 | rank`, sorted, so a register's
    /// run is contiguous and in time order.
    private var sparse: [UInt64] = []
    /// While dense: register *r*'s run is slots `r × slots ..< r × slots + lengths[r]`.
    private var units: [UInt32] = []
    private var ranks: [UInt8] = []
    private var lengths: [UInt8] = []
    private var slots = 0
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

    var isEmpty: Bool { slots == 0 && sparse.isEmpty }

    /// Bytes held (allocator overhead not included).
    var byteCount: Int { slots == 0 ? sparse.count * 8 : units.count * 5 + lengths.count }

    /// Adds a visitor seen in time unit `unit` (relative to the store's epoch); pairs
    /// older than `oldest` (no window covers them any more) are dropped from its register.
    mutating func insert(visitor: UInt64, unit: UInt32, oldest: UInt32) {
        guard unit >= oldest else { return }
        let (register, rank) = Self.register(of: visitor)
        if slots == 0 {
            let base = UInt64(register) << 40
            let start = Self.firstIndex(in: 0..<sparse.count) { sparse[$0] >= base }
            let end = Self.firstIndex(in: start..<sparse.count) { sparse[$0] >= base + (1 << 40) }
            let unitAt = { UInt32(truncatingIfNeeded: sparse[start + $0] >> 8) }
            let rankAt = { UInt8(truncatingIfNeeded: sparse[start + $0]) }
            raise(to: rank, Self.values(in: sums, before: unit, count: end - start, unitAt: unitAt, rankAt: rankAt))
            guard let edit = Self.edit(unit: unit, rank: rank, oldest: oldest, count: end - start,
                                       unitAt: unitAt, rankAt: rankAt) else { return }
            if let replaced = edit.replaced {
                sparse.replaceSubrange(start + replaced.lowerBound..<start + replaced.upperBound,
                                       with: CollectionOfOne(base | UInt64(unit) << 8 | UInt64(rank)))
            }
            sparse.removeSubrange(start..<start + edit.expired)
            if sparse.count > Self.denseThreshold { makeDense(slots: 4) }
        } else {
            let count = Int(lengths[register])
            var first = register * slots
            raise(to: rank, Self.values(in: sums, before: unit, count: count,
                                        unitAt: { units[first + $0] }, rankAt: { ranks[first + $0] }))
            guard let edit = Self.edit(unit: unit, rank: rank, oldest: oldest, count: count,
                                       unitAt: { units[first + $0] }, rankAt: { ranks[first + $0] }) else { return }
            let replaced = edit.replaced ?? count..<count
            let newCount = count - edit.expired - replaced.count + (edit.replaced == nil ? 0 : 1)
            if newCount > slots {
                makeDense(slots: slots * 2)
                first = register * slots
            }
            // Keep [expired, lower), then the new pair, then [upper, count), from slot 0 on.
            move(from: first + edit.expired, to: first, count: replaced.lowerBound - edit.expired)
            if edit.replaced != nil {
                let at = first + replaced.lowerBound - edit.expired
                move(from: first + replaced.upperBound, to: at + 1, count: count - replaced.upperBound)
                units[at] = unit
                ranks[at] = rank
            }
            lengths[register] = UInt8(newCount)
        }
    }

    /// A register's value in each summed window that covers `unit` (the rank of its first
    /// pair in the window, 0 without one), before a pair at `unit` arrives; 0xFF for the
    /// others. Windows are at most ``WindowConfiguration/maxWindows``.
    @inline(__always)
    private static func values(
        in sums: [WindowSum?], before unit: UInt32, count: Int, unitAt: (Int) -> UInt32, rankAt: (Int) -> UInt8
    ) -> SIMD8<UInt8> {
        var values = SIMD8<UInt8>(repeating: 0xFF)
        for (window, summed) in sums.enumerated() {
            guard let summed, unit >= summed.start else { continue }
            var index = 0
            while index < count, unitAt(index) < summed.start { index += 1 }
            values[window] = index < count ? rankAt(index) : 0
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
        unit: UInt32, rank: UInt8, oldest: UInt32, count: Int,
        unitAt: (Int) -> UInt32, rankAt: (Int) -> UInt8
    ) -> (expired: Int, replaced: Range<Int>?)? {
        var expired = 0
        while expired < count, unitAt(expired) < oldest { expired += 1 }
        var upper = firstIndex(in: 0..<count) { unitAt($0) >= unit }
        if upper < count, rankAt(upper) >= rank {
            // A pair at least as late and as high: the new one is never a window's highest.
            return expired > 0 ? (expired, nil) : nil
        }
        var lower = upper
        while lower > 0, rankAt(lower - 1) <= rank { lower -= 1 }
        while upper < count, unitAt(upper) == unit { upper += 1 }
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
            units[destination + index] = units[source + index]
            ranks[destination + index] = ranks[source + index]
        }
    }

    private mutating func makeDense(slots newSlots: Int) {
        var newUnits = [UInt32](repeating: 0, count: Self.registerCount * newSlots)
        var newRanks = [UInt8](repeating: 0, count: Self.registerCount * newSlots)
        var newLengths = [UInt8](repeating: 0, count: Self.registerCount)
        forEachPair { register, unit, rank in
            let at = register * newSlots + Int(newLengths[register])
            newUnits[at] = unit
            newRanks[at] = rank
            newLengths[register] += 1
        }
        sparse = []
        units = newUnits
        ranks = newRanks
        lengths = newLengths
        slots = newSlots
    }

    /// Calls `body` with every pair, by register and within a register in time order.
    private func forEachPair(_ body: (_ register: Int, _ unit: UInt32, _ rank: UInt8) -> Void) {
        if slots == 0 {
            for pair in sparse {
                body(Int(pair >> 40), UInt32(truncatingIfNeeded: pair >> 8), UInt8(truncatingIfNeeded: pair))
            }
        } else {
            for register in 0..<Self.registerCount {
                let first = register * slots
                for at in first..<first + Int(lengths[register]) { body(register, units[at], ranks[at]) }
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
            var counted = [Int](repeating: -1, count: slid.count)
            forEachPair { register, unit, rank in
                for index in fresh.indices where counted[index] != register && unit >= fresh[index].start {
                    counted[index] = register
                    fresh[index].sum = fresh[index].sum - Self.weight(0) + Self.weight(rank)
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

    /// The HyperLogLog estimate from Σ 2^-register and the count of empty registers, with
    /// linear counting for small sets (64-bit hashes need no large-range correction).
    private static func estimate(_ summed: WindowSum) -> UInt64 {
        let m = Double(registerCount)
        let raw = 0.7213 / (1 + 1.079 / m) * m * m / (Double(summed.sum) / Double(weight(0)))
        let estimate = raw <= 2.5 * m && summed.zeros > 0 ? m * log(m / Double(summed.zeros)) : raw
        return UInt64(estimate.rounded())
    }

    // MARK: - Checkpoints

    func encode(into writer: inout ByteWriter) {
        writer.write(UInt8(slots))
        if slots == 0 {
            writer.write(UInt32(sparse.count))
            for pair in sparse { writer.write(pair) }
        } else {
            for unit in units { writer.write(unit) }
            writer.write(contentsOf: ranks)
            writer.write(contentsOf: lengths)
        }
    }

    init(decoding reader: inout ByteReader) throws(CheckpointError) {
        do throws(WireError) {
            slots = Int(try reader.read(UInt8.self, "sketch slots"))
            if slots == 0 {
                let count = Int(try reader.read(UInt32.self, "sketch pairs"))
                guard count <= Self.denseThreshold else { throw .countOutOfRange(field: "sketch pairs", count: count) }
                sparse = try (0..<count).map { _ throws(WireError) in try reader.read(UInt64.self, "sketch pair") }
            } else {
                guard [4, 8, 16, 32, 64].contains(slots) else { throw .countOutOfRange(field: "sketch slots", count: slots) }
                units = try (0..<Self.registerCount * slots).map { _ throws(WireError) in try reader.read(UInt32.self, "sketch unit") }
                ranks = Array(try reader.read(count: Self.registerCount * slots, "sketch ranks"))
                lengths = Array(try reader.read(count: Self.registerCount, "sketch lengths"))
            }
        } catch {
            throw CheckpointError(error)
        }
        let inRange = slots == 0
            ? zip(sparse, sparse.dropFirst()).allSatisfy { $0 < $1 }
                && sparse.allSatisfy { $0 >> 40 < Self.registerCount && Self.isRank(UInt8(truncatingIfNeeded: $0)) }
            : lengths.allSatisfy { $0 <= slots } && ranks.allSatisfy { $0 == 0 || Self.isRank($0) }
        guard inRange else { throw CheckpointError("a unique-visitor sketch is out of order or out of range") }
    }

    private static func isRank(_ rank: UInt8) -> Bool { (1...UInt8(64 - precision + 1)).contains(rank) }

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
