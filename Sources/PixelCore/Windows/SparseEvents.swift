/// The few recent events of a quiet key, kept as a short list instead of rings.
///
/// Events in the same time unit and of the same kind share an entry. A key that needs more
/// than ``maxEntries`` live entries is promoted to ``DenseRings``.
final class SparseEvents: ManagedBuffer<Int, SparseEvents.Entry> {
    /// One time unit's events of one kind.
    struct Entry {
        var value: UInt64
        /// Time unit, relative to the store's epoch.
        var unit: UInt32
        var count: UInt16
        var kind: EventKind
    }

    static let maxEntries = 8

    static func make(capacity: Int) -> SparseEvents {
        unsafeDowncast(create(minimumCapacity: capacity) { _ in 0 }, to: SparseEvents.self)
    }

    deinit {
        _ = withUnsafeMutablePointers { count, entries in entries.deinitialize(count: count.pointee) }
    }

    var count: Int { withUnsafeMutablePointerToHeader { $0.pointee } }

    func withEntries<R>(_ body: (UnsafeMutableBufferPointer<Entry>) -> R) -> R {
        withUnsafeMutablePointers { count, entries in
            body(UnsafeMutableBufferPointer(start: entries, count: count.pointee))
        }
    }

    /// Adds to a matching entry or appends one.
    ///
    /// - Returns: `false`, changing nothing, when a new entry is needed and there is no room.
    func add(_ kind: EventKind, count: UInt32, value: UInt64, unit: UInt32) -> Bool {
        withUnsafeMutablePointers { used, entries in
            for index in 0..<used.pointee where entries[index].unit == unit && entries[index].kind == kind {
                let new = UInt32(entries[index].count) + count
                guard new <= UInt16.max else { break }
                entries[index].count = UInt16(new)
                entries[index].value &+= value
                return true
            }
            guard used.pointee < capacity, count <= UInt16.max else { return false }
            (entries + used.pointee).initialize(
                to: Entry(value: value, unit: unit, count: UInt16(count), kind: kind))
            used.pointee += 1
            return true
        }
    }

    /// Removes entries for which `isExpired` is true, keeping the order of the rest.
    func removeAll(where isExpired: (Entry) -> Bool) {
        withUnsafeMutablePointers { used, entries in
            var kept = 0
            for index in 0..<used.pointee where !isExpired(entries[index]) {
                entries[kept] = entries[index]
                kept += 1
            }
            used.pointee = kept
        }
    }

    /// A copy with room for `capacity` entries.
    func grown(to capacity: Int) -> SparseEvents {
        let bigger = SparseEvents.make(capacity: capacity)
        withEntries { old in
            for entry in old {
                _ = bigger.add(entry.kind, count: UInt32(entry.count), value: entry.value, unit: entry.unit)
            }
        }
        return bigger
    }

    /// The bytes this key's list occupies.
    var byteCount: Int { capacity * MemoryLayout<Entry>.stride + MemoryLayout<Int>.size + 16 }
}
