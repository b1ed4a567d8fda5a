import PixelCore

/// Which keys the feed must hear about, and when.
///
/// A key with new events is *pending* until it is published. It is due as soon as it was
/// last published at least its interval ago (the tick, or longer for conflated pixel
/// keys): a key that was quiet is published on the very next call, a busy one at most
/// once per interval. A pending key that is not due yet waits on a timing wheel, in the
/// slot of the moment it becomes due, so each call costs O(keys due), not O(keys pending).
///
/// It also keeps the keys that hold counts (visited again when the windows slide), each
/// with a fingerprint of what was last published for it, so that unchanged counts are not
/// sent.
struct ChangeTracker {
    /// Pending keys not yet sorted into due or waiting.
    private var fresh: [Int] = []
    /// Whether a key is pending (in ``fresh`` or in a slot of ``wheel``).
    private var isPending: [Bool] = []
    /// Pending keys by the wheel slot in which they become due (slot `s` covers the times
    /// from `s × resolution` up to the next slot's, ms).
    private var wheel: [[Int]]
    /// The first slot not yet taken.
    private var nextSlot: Int64 = 0
    /// The width of a wheel slot, ms.
    let resolution: Int64
    /// Keys that hold counts, in no particular order.
    private(set) var active: [Int] = []
    private var isActive: [Bool] = []
    private var published: [UInt64] = []
    /// When each key was last published, clock ms.
    private(set) var publishedAt: [Int64] = []

    /// Creates a tracker for intervals of up to `longestInterval` ms, timed to `resolution` ms.
    init(resolution: Int64, longestInterval: Int64) {
        precondition(resolution > 0 && longestInterval >= resolution)
        self.resolution = resolution
        wheel = Array(repeating: [], count: Int(longestInterval / resolution) + 2)
    }

    /// Makes room for keys up to `count`.
    mutating func grow(to count: Int) {
        while isPending.count < count {
            isPending.append(false)
            isActive.append(false)
            published.append(Self.fingerprint([]))
            publishedAt.append(.min / 2)
        }
    }

    /// The number of keys waiting for their interval to pass.
    var pendingCount: Int { fresh.count + wheel.reduce(0) { $0 + $1.count } }

    /// Notes that `key` has new events.
    mutating func markDirty(_ key: Int) {
        guard !isPending[key] else { return }
        isPending[key] = true
        fresh.append(key)
    }

    /// The pending keys that are due at `now`: those last published at least their
    /// `interval` ago. The others wait in the wheel. The keys returned are active.
    mutating func takeDue(now: Int64, interval: (Int) -> Int64) -> [Int] {
        var due: [Int] = []
        let last = now / resolution
        if last - nextSlot >= Int64(wheel.count) { nextSlot = last - Int64(wheel.count) + 1 }
        // Slots before `last` are due whole; `last` holds keys due up to its end.
        while nextSlot < last {
            let index = Int(nextSlot % Int64(wheel.count))
            due.append(contentsOf: wheel[index])
            wheel[index].removeAll(keepingCapacity: true)
            nextSlot += 1
        }
        let index = Int(last % Int64(wheel.count))
        let publishedAt = publishedAt
        wheel[index].removeAll { key in
            guard publishedAt[key] + interval(key) <= now else { return false }
            due.append(key)
            return true
        }
        for key in fresh {
            let at = publishedAt[key] + interval(key)
            if at <= now {
                due.append(key)
            } else {
                // At or after `last`, and at most the longest interval ahead: within the wheel.
                wheel[Int(at / resolution % Int64(wheel.count))].append(key)
            }
        }
        fresh.removeAll(keepingCapacity: true)
        settle(due)
        return due
    }

    /// Every pending key, due or not (for a snapshot, which must not read counts ahead of
    /// the feed, and at shutdown). The keys returned are active.
    mutating func takeAll() -> [Int] {
        var all = fresh
        fresh.removeAll(keepingCapacity: true)
        for index in wheel.indices {
            all.append(contentsOf: wheel[index])
            wheel[index].removeAll(keepingCapacity: true)
        }
        settle(all)
        return all
    }

    private mutating func settle(_ keys: [Int]) {
        for key in keys {
            isPending[key] = false
            if !isActive[key] {
                isActive[key] = true
                active.append(key)
            }
        }
    }

    /// Forgets the active key at `index` (its windows are all empty); the last takes its place.
    mutating func deactivate(at index: Int) {
        isActive[active[index]] = false
        active.swapAt(index, active.count - 1)
        active.removeLast()
    }

    /// Records `counts` as published for `key` at `now`; returns whether they differ from
    /// the last published, so that a message is due.
    mutating func publish(_ key: Int, counts: [Counts], now: Int64) -> Bool {
        let fingerprint = Self.fingerprint(counts)
        guard fingerprint != published[key] else { return false }
        published[key] = fingerprint
        publishedAt[key] = now
        return true
    }

    /// A hash of every count; equal counts give equal fingerprints.
    private static func fingerprint(_ counts: [Counts]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for window in counts {
            for value in [window.views, window.clicks, window.conversions, window.value, window.bots, window.uniques ?? .max] {
                hash = (hash ^ value) &* 0x0000_0100_0000_01b3
                hash ^= hash >> 29
            }
        }
        return hash
    }
}
