import PixelCore

/// Which keys the feed must hear about: keys with new events since the last publish, and
/// the keys that hold counts (visited again when the windows slide), each with a
/// fingerprint of what was last published for it, so that unchanged counts are not sent.
struct ChangeTracker {
    /// Keys with events since the last publish.
    private var dirty: [Int] = []
    private var isDirty: [Bool] = []
    /// The storage of the last ``takeDirty()``, kept for the next.
    private var spare: [Int] = []
    /// Keys that hold counts, in no particular order.
    private(set) var active: [Int] = []
    private var isActive: [Bool] = []
    private var published: [UInt64] = []

    /// Makes room for keys up to `count`.
    mutating func grow(to count: Int) {
        while isDirty.count < count {
            isDirty.append(false)
            isActive.append(false)
            published.append(Self.fingerprint([]))
        }
    }

    /// Notes that `key` has new events.
    mutating func markDirty(_ key: Int) {
        guard !isDirty[key] else { return }
        isDirty[key] = true
        dirty.append(key)
    }

    /// The keys with new events since the last call, now active. Hand the array back with
    /// ``recycle(_:)`` so that its storage serves the next tick.
    mutating func takeDirty() -> [Int] {
        var keys: [Int] = []
        swap(&keys, &spare)
        swap(&keys, &dirty)
        for key in keys {
            isDirty[key] = false
            if !isActive[key] {
                isActive[key] = true
                active.append(key)
            }
        }
        return keys
    }

    /// Takes back an array from ``takeDirty()``.
    mutating func recycle(_ keys: [Int]) {
        spare = keys
        spare.removeAll(keepingCapacity: true)
    }

    /// Forgets the active key at `index` (its windows are all empty); the last takes its place.
    mutating func deactivate(at index: Int) {
        isActive[active[index]] = false
        active.swapAt(index, active.count - 1)
        active.removeLast()
    }

    /// Records `counts` as published for `key`; returns whether they differ from the last
    /// published, so that a message is due.
    mutating func publish(_ key: Int, counts: [Counts]) -> Bool {
        let fingerprint = Self.fingerprint(counts)
        guard fingerprint != published[key] else { return false }
        published[key] = fingerprint
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
