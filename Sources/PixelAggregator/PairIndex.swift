/// The keys of every campaign × pixel, by the pair's two name ids packed in one word.
///
/// Open addressing over 16-byte slots in one flat array, linear probing, at most half full:
/// a lookup hashes one integer and reads one slot (rarely two). At 100 000 keys the table
/// is 4 MB, out of the core's cache, so every lookup misses; being one load with nothing
/// behind it, a batch's lookups made back to back overlap their misses, where a dictionary
/// of string pairs would hash both names and chase the strings' storage.
struct PairIndex {
    private struct Slot {
        var pair: UInt64
        var pixel: Int32
        /// -1 in an empty slot.
        var rollup: Int32
    }

    private var slots = [Slot](repeating: Slot(pair: 0, pixel: 0, rollup: -1), count: 1024)
    private var shift = 64 - 10
    private(set) var count = 0

    /// Packs a campaign's and a pixel's name ids.
    @inline(__always)
    static func pair(campaign: UInt32, pixel: UInt32) -> UInt64 { UInt64(campaign) << 32 | UInt64(pixel) }

    /// The keys of `pair`, if it has them.
    @inline(__always)
    func keys(of pair: UInt64) -> (pixel: Int, rollup: Int)? {
        var index = slot(of: pair)
        while true {
            let slot = slots[index]
            if slot.rollup < 0 { return nil }
            if slot.pair == pair { return (Int(slot.pixel), Int(slot.rollup)) }
            index = (index + 1) & (slots.count - 1)
        }
    }

    /// Adds a pair that has no keys yet.
    mutating func insert(_ pair: UInt64, pixel: Int, rollup: Int) {
        if (count + 1) * 2 > slots.count { grow() }
        var index = slot(of: pair)
        while slots[index].rollup >= 0 { index = (index + 1) & (slots.count - 1) }
        slots[index] = Slot(pair: pair, pixel: Int32(pixel), rollup: Int32(rollup))
        count += 1
    }

    /// Fibonacci hashing: the top bits of the pair times 2⁶⁴/φ, which spreads consecutive ids.
    @inline(__always)
    private func slot(of pair: UInt64) -> Int { Int(truncatingIfNeeded: (pair &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift)) }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(pair: 0, pixel: 0, rollup: -1), count: old.count * 2)
        shift -= 1
        count = 0
        for slot in old where slot.rollup >= 0 { insert(slot.pair, pixel: Int(slot.pixel), rollup: Int(slot.rollup)) }
    }
}
