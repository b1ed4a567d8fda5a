/// Sliding-window counters for many keys, bucketed by event time.
///
/// Keys are small integers from ``makeKey()``; callers intern their own ids (a campaign,
/// a campaign × pixel) to keys once, so the hot path never hashes a string.
///
/// Time: the store's ``now`` is the later of the clock (``advance(to:)``) and the newest
/// accepted event. An event counts when its time is at most ``WindowConfiguration/futureTolerance``
/// ahead of the clock and at most ``WindowConfiguration/grace`` behind ``now``; otherwise it
/// is refused and counted in ``refusals``. An accepted event counts in every window whose
/// span at ``now`` contains it (a late event may be too old for the short windows and
/// still count in the long ones).
///
/// A quiet key keeps a short event list (under 128 bytes); a busy one keeps a ring per
/// window with running totals, so reads cost O(1). Rings advance lazily, on the key's next
/// update or read, so ``advance(to:)`` is O(1) whatever the number of keys.
///
/// Not copyable and not thread-safe: one owner (the aggregator actor) holds and mutates it.
/// Being a struct, it has no runtime exclusivity checks on the hot path.
public struct WindowStore: ~Copyable {
    /// The windows and the time rules.
    public let configuration: WindowConfiguration
    let geometry: RingGeometry

    /// The later of the clock and the newest accepted event time, in ms.
    public private(set) var now: Int64 = 0
    /// The newest time given to ``advance(to:)``, in ms.
    public private(set) var clock: Int64 = 0
    /// Events refused, by reason.
    public private(set) var refusals = Refusals()
    /// Events accepted.
    public private(set) var accepted: UInt64 = 0

    /// The unit containing ``now``, and each window's step and slot for it.
    private var nowUnit: Int64 = 0
    private var currentStep: [Int64]
    private var currentSlot: [Int]
    /// Sparse entries store units relative to this, in 32 bits.
    private var epochUnit: Int64?
    private var keys: ContiguousArray<KeyWindows> = []

    /// Counts of refused events.
    public struct Refusals: Sendable, Hashable {
        /// Older than the grace period allows.
        public var tooLate: UInt64 = 0
        /// Further ahead of the clock than the tolerance allows.
        public var tooFarInFuture: UInt64 = 0
    }

    /// What became of an event.
    public enum Outcome: Sendable, Hashable {
        case accepted
        case tooLate
        case tooFarInFuture
    }

    private enum KeyWindows {
        case empty
        case sparse(SparseEvents)
        case dense(DenseRings)
    }

    /// Creates an empty store.
    public init(configuration: WindowConfiguration = .standard) {
        self.configuration = configuration
        self.geometry = RingGeometry(configuration)
        self.currentStep = Array(repeating: 0, count: geometry.windowCount)
        self.currentSlot = Array(repeating: 0, count: geometry.windowCount)
    }

    /// The number of keys made so far.
    public var keyCount: Int { keys.count }

    /// Makes a new key with no events.
    public mutating func makeKey() -> Int {
        keys.append(.empty)
        return keys.count - 1
    }

    /// Moves the clock forward to `time` (ms); earlier times are ignored.
    public mutating func advance(to time: Int64) {
        guard time > clock else { return }
        clock = time
        if time > now { setNow(time) }
    }

    /// Records `count` events of `kind` at `time` (ms) for `key`.
    ///
    /// - Parameters:
    ///   - kind: What happened.
    ///   - value: Conversion value in minor units (summed per window); 0 for none.
    ///   - count: How many identical events; usually 1.
    ///   - time: Event time in ms since the Unix epoch.
    ///   - key: A key from ``makeKey()``.
    /// - Returns: Whether the event counted, or why not.
    @discardableResult
    public mutating func record(_ kind: EventKind, value: UInt64 = 0, count: UInt32 = 1, at time: Int64, key: Int) -> Outcome {
        guard time <= clock &+ configuration.futureTolerance else {
            refusals.tooFarInFuture &+= UInt64(count)
            return .tooFarInFuture
        }
        guard time >= 0, time >= now - configuration.grace else {
            refusals.tooLate &+= UInt64(count)
            return .tooLate
        }
        if time > now { setNow(time) }
        accepted &+= UInt64(count)
        let unit = time >= nowUnit * geometry.unit ? nowUnit : time / geometry.unit
        switch keys[key] {
        case .dense(let rings):
            insert(kind, value: value, count: count, unit: unit, into: rings, key: key)
        case .sparse(let events):
            insertSparse(kind, value: value, count: count, unit: unit, into: events, key: key)
        case .empty:
            let events = SparseEvents.make(capacity: 2)
            keys[key] = .sparse(events)
            insertSparse(kind, value: value, count: count, unit: unit, into: events, key: key)
        }
        return .accepted
    }

    /// The counts of window `window` (an index into the configuration's windows) for `key`
    /// at ``now``.
    public mutating func counts(key: Int, window: Int) -> Counts {
        switch keys[key] {
        case .empty:
            return Counts()
        case .dense(let rings):
            if rings.headUnit != nowUnit, rings.advance(to: nowUnit, geometry) {
                keys[key] = .empty
                return Counts()
            }
            let lane = geometry.lane(window: window, counter: 0)
            return Counts(
                views: rings.total(lane: lane), clicks: rings.total(lane: lane + 1),
                conversions: rings.total(lane: lane + 2), value: rings.total(lane: lane + 3))
        case .sparse(let events):
            var counts = Counts()
            let oldest = currentStep[window] - Int64(geometry.slots[window])
            events.withEntries { entries in
                for entry in entries where step(of: entry, window: window) > oldest {
                    counts[entry.kind] &+= UInt64(entry.count)
                    counts.value &+= entry.value
                }
            }
            return counts
        }
    }

    /// The counts of every window for `key`, in configuration order.
    public mutating func counts(key: Int) -> [Counts] {
        (0..<geometry.windowCount).map { counts(key: key, window: $0) }
    }

    /// Whether `key` holds nothing in any window at ``now``.
    public mutating func isIdle(key: Int) -> Bool {
        if case .sparse(let events) = keys[key] {
            expire(events)
            if events.count == 0 { keys[key] = .empty }
        } else if case .dense = keys[key] {
            _ = counts(key: key, window: 0)
        }
        if case .empty = keys[key] { return true }
        return false
    }

    /// Bytes held for `key`'s windows (object headers included, allocator overhead not).
    public func byteCount(key: Int) -> Int {
        switch keys[key] {
        case .empty: 0
        case .sparse(let events): events.byteCount
        case .dense(let rings): rings.byteCount
        }
    }

    // MARK: - Internals

    private mutating func setNow(_ time: Int64) {
        now = time
        let unit = time / geometry.unit
        guard unit != nowUnit else { return }
        nowUnit = unit
        if epochUnit == nil {
            epochUnit = unit - configuration.grace / geometry.unit - 2
        }
        for window in 0..<geometry.windowCount {
            currentStep[window] = unit / geometry.stepUnits[window]
            currentSlot[window] = Int(currentStep[window] % Int64(geometry.slots[window]))
        }
    }

    @inline(__always)
    private mutating func insert(_ kind: EventKind, value: UInt64, count: UInt32, unit: Int64, into rings: DenseRings, key: Int) {
        var rings = rings
        if rings.headUnit != nowUnit { _ = rings.advance(to: nowUnit, geometry) }
        for window in 0..<geometry.windowCount {
            let slot: Int
            if unit == nowUnit {
                slot = currentSlot[window]
            } else {
                let step = unit / geometry.stepUnits[window]
                guard step > currentStep[window] - Int64(geometry.slots[window]) else { continue }
                slot = Int(step % Int64(geometry.slots[window]))
            }
            let lane = geometry.lane(window: window, counter: Int(kind.rawValue))
            add(UInt64(count), lane: lane, slot: slot, rings: &rings, key: key)
            if value > 0 {
                add(value, lane: lane - Int(kind.rawValue) + RingGeometry.valueCounter, slot: slot, rings: &rings, key: key)
            }
        }
    }

    @inline(__always)
    private mutating func add(_ amount: UInt64, lane: Int, slot: Int, rings: inout DenseRings, key: Int) {
        while !rings.add(amount, lane: lane, slot: slot, geometry) {
            rings = rings.widened(lane: lane, toHold: amount, geometry)
            keys[key] = .dense(rings)
        }
    }

    private mutating func insertSparse(_ kind: EventKind, value: UInt64, count: UInt32, unit: Int64, into events: SparseEvents, key: Int) {
        let relative = UInt32(unit - epochUnit!)
        if events.add(kind, count: count, value: value, unit: relative) { return }
        expire(events)
        if events.add(kind, count: count, value: value, unit: relative) { return }
        if events.capacity < SparseEvents.maxEntries {
            let bigger = events.grown(to: min(events.capacity * 2, SparseEvents.maxEntries))
            keys[key] = .sparse(bigger)
            if bigger.add(kind, count: count, value: value, unit: relative) { return }
        }
        // Too busy for a list: move to rings.
        keys[key] = .dense(DenseRings.make(
            widths: Array(repeating: 0, count: geometry.laneCount), headUnit: nowUnit, geometry))
        events.withEntries { entries in
            for entry in entries {
                insertIntoCurrentRings(entry.kind, value: entry.value, count: UInt32(entry.count),
                                       unit: Int64(entry.unit) + epochUnit!, key: key)
            }
        }
        insertIntoCurrentRings(kind, value: value, count: count, unit: unit, key: key)
    }

    /// Inserts into `key`'s rings as they are now (an insert may have widened them).
    private mutating func insertIntoCurrentRings(_ kind: EventKind, value: UInt64, count: UInt32, unit: Int64, key: Int) {
        guard case .dense(let rings) = keys[key] else { preconditionFailure("key \(key) has no rings") }
        insert(kind, value: value, count: count, unit: unit, into: rings, key: key)
    }

    /// Drops entries that no window still covers.
    private mutating func expire(_ events: SparseEvents) {
        events.removeAll { entry in
            (0..<geometry.windowCount).allSatisfy { window in
                step(of: entry, window: window) <= currentStep[window] - Int64(geometry.slots[window])
            }
        }
    }

    @inline(__always)
    private func step(of entry: SparseEvents.Entry, window: Int) -> Int64 {
        (Int64(entry.unit) + epochUnit!) / geometry.stepUnits[window]
    }
}
