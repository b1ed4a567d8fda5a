/// Remembers event ids for a while, so that a hit sent twice (a reloaded confirmation page,
/// a retried postback) counts once.
///
/// One open-addressing table (linear probing) of 64-bit words, 0 for empty. A word holds
/// 50 bits of a hash of the id and its scope (never all zero) above the minute it was
/// remembered at, modulo 2¹⁴ (minutes of the clock passed to ``insert(_:scope:now:)``,
/// which never goes back). An id is remembered while its age in whole minutes is at most
/// the horizon's (rounded up): for at least ``horizon`` and less than a minute more.
///
/// Expired words are skipped by lookups and taken over by inserts. When more than 80 % of
/// the words are in use (remembered or expired), a sweep rebuilds the table with the
/// remembered ones; if they fill more than 60 % of it, it grows to 15/8 their number
/// (×1.125 to ×1.5), so they fill 8/15 of it, as after growing ×1.5 from 80 %. A sweep also
/// runs at least every 2¹³ minutes, so that no age wraps.
///
/// Memory: 8 × capacity ÷ remembered bytes per remembered id. The remembered ids fill 53–80 %
/// of the table, so that is 10–15 bytes (15 just after growing, 10 just before a sweep),
/// plus 4 bytes per minute of horizon for the count of ids remembered in each minute. The
/// table does not shrink: when traffic falls, it keeps the size it grew to.
///
/// When ``limit`` ids are remembered, the oldest whole minutes of them, at least an eighth,
/// are forgotten early (``forgotten``), so memory stays bounded whatever the traffic.
///
/// A new id is taken for a remembered one when its 50 bits equal those of one of the
/// *n* remembered: probability *n* / 2⁵⁰ for each new id, about 1 in 10⁸ at 10 million. (The
/// 64-bit fingerprints of ``EventID`` already collide with probability about *n*²/2⁶⁵.)
public struct EventIDFilter: Sendable {
    /// The least time, in ms, an id is remembered.
    public let horizon: Int64
    /// The most ids remembered; beyond it the oldest are forgotten early.
    public let limit: Int
    /// The ids remembered now.
    public internal(set) var count = 0
    /// The ids forgotten early, before their horizon, to stay within ``limit``.
    public private(set) var forgotten: UInt64 = 0

    /// The longest horizon: 136 hours, so that an age plus the time between sweeps stays
    /// under 2¹⁴ minutes.
    public static let maxHorizon: Int64 = 136 * 3_600_000

    static let stampBits = 14
    static let stampMask: UInt64 = 1 << stampBits - 1
    static let sweepMinutes: Int64 = 1 << (stampBits - 1)
    static let initialCapacity = 1024

    /// The horizon in whole minutes, rounded up: an id is live while its age is at most this.
    let horizonMinutes: Int64
    var words: [UInt64]
    /// Ids remembered per minute of insertion, at index minute modulo its count (the
    /// horizon's minutes and the current one).
    var perMinute: [UInt32]
    /// Words not empty: remembered or expired.
    var occupied = 0
    /// The clock's minute: the latest seen.
    var minute: Int64 = 0
    var lastSweep: Int64 = 0

    /// Creates a filter that remembers ids for at least `horizon` ms (48 hours by default),
    /// and at most `limit` of them.
    ///
    /// - Precondition: `horizon` is 1…``maxHorizon``, `limit` is 1…2³² − 1.
    public init(horizon: Int64 = 172_800_000, limit: Int = 10_000_000) {
        precondition(horizon > 0 && horizon <= Self.maxHorizon, "an event id horizon of \(horizon) ms")
        precondition(limit > 0 && limit <= Int(UInt32.max), "an event id limit of \(limit)")
        self.horizon = horizon
        self.limit = limit
        horizonMinutes = (horizon + 59_999) / 60_000
        words = Array(repeating: 0, count: Self.initialCapacity)
        perMinute = Array(repeating: 0, count: Int(horizonMinutes) + 1)
    }

    /// The bytes held (allocator overhead not included).
    public var byteCount: Int { words.count * 8 + perMinute.count * 4 }

    /// Records `id`, scoped to `scope` (e.g. a campaign's key), at clock time `now` (ms).
    ///
    /// - Returns: `true` when it is new, `false` for a duplicate.
    public mutating func insert(_ id: EventID, scope: Int, now: Int64) -> Bool {
        advance(to: now)
        let tag = Self.tag(of: Self.key(id, scope: scope))
        let (index, isRemembered) = find(tag)
        guard !isRemembered else { return false }
        guard count < limit else {
            forgetOldest()
            return insert(id, scope: scope, now: now)
        }
        if words[index] == 0 { occupied += 1 }
        words[index] = tag | UInt64(minute) & Self.stampMask
        count += 1
        perMinute[bucket(minute)] += 1
        if occupied * 5 > words.count * 4 { sweep() }
        return true
    }

    /// Moves the clock to `now` (ms), forgetting the ids that age past the horizon; earlier
    /// times are ignored.
    public mutating func advance(to now: Int64) {
        let next = max(now, 0) / 60_000
        let current = minute
        guard next > current else { return }
        // The minutes that leave the horizon take their ids with them.
        for leaving in (current - horizonMinutes)..<min(next - horizonMinutes, current + 1) {
            count -= Int(perMinute[bucket(leaving)])
            perMinute[bucket(leaving)] = 0
        }
        if next - lastSweep >= Self.sweepMinutes {
            // Ages are exact up to 2¹⁴ minutes: keep what is still young at `next`, before
            // the clock moves and an age could wrap.
            rebuild(capacity: words.count, keepingAgesBelow: horizonMinutes + 1 - (next - current))
            lastSweep = next
        }
        minute = next
    }

    /// The key of `id` in `scope`, as format 1 of the checkpoint kept it too.
    static func key(_ id: EventID, scope: Int) -> UInt64 {
        id.rawValue ^ (UInt64(truncatingIfNeeded: scope) &* 0x9e37_79b9_7f4a_7c15)
    }

    /// The upper 50 bits of a word for `key`: a mix of all its bits (MurmurHash3's
    /// finalizer), never zero.
    static func tag(of key: UInt64) -> UInt64 {
        var hash = key
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash &*= 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        let tag = hash & ~stampMask
        return tag == 0 ? 1 << stampBits : tag
    }

    /// The first word to probe for `word` in a table of `capacity` words: its tag scaled to
    /// the capacity (the high half of their product), so the capacity need not be a power of two.
    @inline(__always)
    static func home(of word: UInt64, capacity: Int) -> Int {
        Int(truncatingIfNeeded: (word & ~stampMask).multipliedFullWidth(by: UInt64(capacity)).high)
    }

    /// The age in minutes of `word` at `minute`, exact while under 2¹⁴.
    @inline(__always)
    static func age(_ word: UInt64, at minute: Int64) -> Int64 { Int64((UInt64(minute) &- word) & stampMask) }

    @inline(__always)
    func bucket(_ minute: Int64) -> Int {
        let count = Int64(perMinute.count)
        return Int((minute % count + count) % count)
    }

    /// Where `tag` is, and whether it is remembered; or, when it is not, the word to put it
    /// in: its own expired word, the first expired word on its way, or the empty word that
    /// ends it.
    private func find(_ tag: UInt64) -> (index: Int, isRemembered: Bool) {
        let (current, horizon) = (minute, horizonMinutes)
        return words.withUnsafeBufferPointer { words in
            var index = Self.home(of: tag, capacity: words.count)
            var reusable = -1
            while true {
                let word = words[index]
                if word == 0 { return (reusable >= 0 ? reusable : index, false) }
                let isLive = Self.age(word, at: current) <= horizon
                if word & ~Self.stampMask == tag { return (index, isLive) }
                if reusable < 0, !isLive { reusable = index }
                index += 1
                if index == words.count { index = 0 }
            }
        }
    }

    /// Rebuilds the table with the remembered ids; when they fill more than 60 % of it, in
    /// a table 15/8 their number (×1.125 to ×1.5), which they fill to 8/15, as a table grown
    /// ×1.5 from 80 % full.
    private mutating func sweep() {
        let capacity = words.count
        rebuild(capacity: count * 5 > capacity * 3 ? count * 15 / 8 : capacity, keepingAgesBelow: horizonMinutes + 1)
    }

    /// Forgets the oldest whole minutes of ids, at least an eighth of those remembered.
    mutating func forgetOldest() {
        var age = horizonMinutes
        var dropped = 0
        while age >= 0, dropped < max(count / 8, 1) {
            dropped += Int(perMinute[bucket(minute - age)])
            perMinute[bucket(minute - age)] = 0
            age -= 1
        }
        count -= dropped
        forgotten += UInt64(dropped)
        rebuild(capacity: words.count, keepingAgesBelow: age + 1)
    }

    /// Puts the words younger than `maxAge` into a new table of `capacity` words (more than
    /// there are of them).
    mutating func rebuild(capacity: Int, keepingAgesBelow maxAge: Int64) {
        var table = [UInt64](repeating: 0, count: capacity)
        var kept = 0
        table.withUnsafeMutableBufferPointer { table in
            for word in words where word != 0 && Self.age(word, at: minute) < maxAge {
                var index = Self.home(of: word, capacity: capacity)
                while table[index] != 0 {
                    index += 1
                    if index == capacity { index = 0 }
                }
                table[index] = word
                kept += 1
            }
        }
        words = table
        occupied = kept
        lastSweep = minute
        assert(kept == count, "\(kept) words kept for \(count) ids remembered")
    }
}
