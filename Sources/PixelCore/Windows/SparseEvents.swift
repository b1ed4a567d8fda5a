/// The few recent events of a quiet key, kept as a short list instead of rings.
///
/// Events in the same time unit and of the same kind share an entry. A key that needs more
/// than ``maxEntries`` live entries is promoted to ``DenseRings``. A plain pointer, owned by
/// ``WindowStore``: 8 bytes of count and capacity, then the entries.
struct SparseEvents {
    /// One time unit's events of one kind.
    struct Entry {
        var value: UInt64
        /// Time unit, relative to the store's epoch.
        var unit: UInt32
        var count: UInt16
        var kind: EventKind
    }

    static let maxEntries = 8
    private static let headerSize = 8
    private let base: UnsafeMutableRawPointer

    static func allocate(capacity: Int) -> SparseEvents {
        let base = UnsafeMutableRawPointer.allocate(
            byteCount: headerSize + capacity * MemoryLayout<Entry>.stride, alignment: 8)
        base.storeBytes(of: 0, as: UInt32.self)
        base.storeBytes(of: UInt32(capacity), toByteOffset: 4, as: UInt32.self)
        return SparseEvents(base: base)
    }

    func deallocate() { base.deallocate() }

    var capacity: Int { Int(base.load(fromByteOffset: 4, as: UInt32.self)) }

    private(set) var count: Int {
        get { Int(base.load(as: UInt32.self)) }
        nonmutating set { base.storeBytes(of: UInt32(newValue), as: UInt32.self) }
    }

    private var entries: UnsafeMutablePointer<Entry> {
        (base + Self.headerSize).assumingMemoryBound(to: Entry.self)
    }

    /// The live entries, valid until the next mutation.
    var all: UnsafeMutableBufferPointer<Entry> { UnsafeMutableBufferPointer(start: entries, count: count) }

    /// Adds to a matching entry or appends one.
    ///
    /// - Returns: `false`, changing nothing, when a new entry is needed and there is no room.
    func add(_ kind: EventKind, count: UInt32, value: UInt64, unit: UInt32) -> Bool {
        for index in 0..<self.count where entries[index].unit == unit && entries[index].kind == kind {
            let new = UInt32(entries[index].count) + count
            guard new <= UInt16.max else { break }
            entries[index].count = UInt16(new)
            entries[index].value &+= value
            return true
        }
        guard self.count < capacity, count <= UInt16.max else { return false }
        (entries + self.count).initialize(to: Entry(value: value, unit: unit, count: UInt16(count), kind: kind))
        self.count += 1
        return true
    }

    /// Removes entries for which `isExpired` is true, keeping the order of the rest.
    func removeAll(where isExpired: (Entry) -> Bool) {
        var kept = 0
        for index in 0..<count where !isExpired(entries[index]) {
            entries[kept] = entries[index]
            kept += 1
        }
        count = kept
    }

    /// A copy with room for `capacity` entries; deallocates `self`.
    consuming func grown(to capacity: Int) -> SparseEvents {
        let bigger = SparseEvents.allocate(capacity: capacity)
        (bigger.base + Self.headerSize).copyMemory(from: base + Self.headerSize, byteCount: count * MemoryLayout<Entry>.stride)
        bigger.count = count
        deallocate()
        return bigger
    }

    /// The bytes this key's list occupies (allocator overhead not included).
    var byteCount: Int { Self.headerSize + capacity * MemoryLayout<Entry>.stride }
}
